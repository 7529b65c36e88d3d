// Generated scenarios: N VMs in CDP replicas of 20, an inventory for the simulator and a
// playbook for the engine. The playbook language runs one failover step per replica, so
// "200 VMs in flight across replicas of 20" is written the way a user would: ONE parallel
// group holding every replica step (concurrency 20 each), run with `--concurrency 200`,
// the run-wide cap the steps share. A finished VM's slot goes to the next waiting VM of
// any replica, so work flows continuously instead of in waves.

import { stringify } from 'yaml';
import type { Inventory } from '../../engine/simulator/index.js';

export interface Scenario {
  vms: number;
  /** VMs per CDP replica. @default 20 */
  replicaSize?: number;
  /** VMs in flight at once across replicas. @default 200 */
  concurrency?: number;
  /** Simulated failover duration, ms. */
  taskMs: number;
  /** Engine poll interval, ms. */
  pollMs: number;
  /** What the engine's playbook asks EM for. @default 'xml' */
  media?: 'xml' | 'json';
}

export interface ReplicaPlan {
  name: string;
  id: string;
  vms: Array<{ name: string; id: string }>;
}

export const BENCH_USER = { name: 'bench', password: 'bench-password' } as const;

/** Stable, readable GUIDs: replica r → 00000000-0000-4000-8000-<r>, VM v → …-9000-<v>. */
function guid(kind: '8' | '9', n: number): string {
  return `00000000-0000-4000-${kind}000-${n.toString(16).padStart(12, '0')}`;
}

export function replicas(s: Scenario): ReplicaPlan[] {
  const size = s.replicaSize ?? 20;
  const out: ReplicaPlan[] = [];
  for (let v = 0; v < s.vms; v++) {
    const r = Math.floor(v / size);
    if (!out[r]) out[r] = { name: `bench-cdp-${r + 1}`, id: guid('8', r + 1), vms: [] };
    out[r].vms.push({ name: `vm-${String(v + 1).padStart(5, '0')}`, id: guid('9', v + 1) });
  }
  return out;
}

export function inventory(s: Scenario): Inventory {
  return {
    defaults: { failoverDuration: s.taskMs, operationFinishedFor: 0 },
    cdpReplicas: replicas(s).map((r) => ({ name: r.name, id: r.id, vms: r.vms.map((vm) => ({ name: vm.name, id: vm.id })) })),
    users: [{ name: BENCH_USER.name, password: BENCH_USER.password, role: 'Portal Administrator' }],
  };
}

/** The playbook as YAML text: one parallel group of every replica step; run it with `--concurrency` = runConcurrency(s). */
export function playbook(s: Scenario, media: 'xml' | 'json' = s.media ?? 'xml'): string {
  const concurrency = s.concurrency ?? 200;
  const size = s.replicaSize ?? 20;
  const group = replicas(s).map((r) => ({
    id: `fo-${r.name}`,
    failover: { cdpReplica: r.name, vms: r.vms.map((vm) => vm.name), concurrency: Math.min(size, concurrency) },
  }));
  return stringify(
    {
      version: 1,
      name: `bench ${s.vms} VMs`,
      server: { media },
      defaults: { timeout: '2h', pollInterval: `${s.pollMs}ms`, concurrency: Math.min(size, concurrency), onFailure: 'abort' },
      steps: [{ id: 'all-replicas', parallel: group }],
    },
    { lineWidth: 0 },
  );
}

/** `runbook run --concurrency`: VMs in flight across the whole run. */
export function runConcurrency(s: Scenario): number {
  return s.concurrency ?? 200;
}

/** Waves of the ideal schedule: ceil(N / concurrency). */
export function waves(s: Scenario): number {
  return Math.ceil(s.vms / (s.concurrency ?? 200));
}
