// The read-only state view for tests (Simulator.state).

import { stateOf } from './tasks.js';
import type { SimState } from './types.js';
import type { World } from './world.js';

export function snapshot(w: World, now: number): SimState {
  const m = w.model;
  return {
    vms: m.replicas.flatMap((r) => r.vms.map((v) => ({ id: v.id, name: v.name, replica: r.name, failedOver: v.failedOver }))),
    vApps: m.vapps.map((a) => ({ id: a.id, name: a.name, failedOver: a.failedOver })),
    plans: m.plans.map((p) => ({ id: p.id, name: p.name, active: p.active })),
    replicaPoints: m.points.map((p) => ({ id: p.id, vm: p.vm, failedOver: p.failedOver })),
    tasks: w.tasks.all.map((t) => ({
      taskId: t.id,
      session: t.sessionLabel,
      operation: t.operation,
      state: stateOf(t, now),
      ...(t.outcome ? { success: t.outcome.success, message: t.outcome.message } : {}),
      deleted: t.deleted,
      subject: t.subject,
    })),
    sessions: w.sessions.live(now).length,
    logons: w.sessions.logons,
    failovers: { ...w.failovers },
  };
}
