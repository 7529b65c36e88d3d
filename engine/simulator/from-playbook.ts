// An inventory in which everything a playbook names exists and is healthy: its CDP
// replicas and VMs, vApps and failover plans, with a history fresh enough for its RPO
// checks. Names that are still templates after binding param defaults are skipped
// (there is no way to know what they will be).

import type { Playbook, Step } from '../playbook/types.js';
import { isGuid } from './ids.js';
import type { Inventory, WrittenCdpReplica, WrittenPlan, WrittenVApp } from './types.js';

function bindDefaults(playbook: Playbook, text: string): string | undefined {
  const bound = text.replace(/\$\{\s*params\.([A-Za-z0-9_-]+)\s*\}/g, (whole, name: string) => {
    const value = playbook.params[name]?.default;
    return value === undefined ? whole : String(value);
  });
  return bound.includes('${') ? undefined : bound;
}

function flatten(steps: Step[]): Step[] {
  return steps.flatMap((s) => (s.kind === 'parallel' ? [s, ...flatten(s.steps)] : [s]));
}

/** A name or id: a GUID becomes the id of an object with a derived name. */
function named(text: string, prefix: string): { name: string; id?: string } {
  return isGuid(text) ? { name: `${prefix}-${text.slice(0, 8)}`, id: text.toLowerCase() } : { name: text };
}

export function inventoryFromPlaybook(playbook: Playbook): Inventory {
  const replicas = new Map<string, WrittenCdpReplica & { vmSet: Set<string>; wantsAll: boolean }>();
  const vapps = new Map<string, WrittenVApp>();
  const plans = new Map<string, WrittenPlan>();
  let lagMs = 15_000;
  let appEveryMs = 3_600_000;

  const replica = (raw: string) => {
    const bound = bindDefaults(playbook, raw);
    if (bound === undefined) return undefined;
    const key = bound.toLowerCase();
    let r = replicas.get(key);
    if (!r) {
      r = { ...named(bound, 'cdp'), vms: [], vmSet: new Set(), wantsAll: false };
      replicas.set(key, r);
    }
    return r;
  };
  const addVms = (r: NonNullable<ReturnType<typeof replica>>, vms: string[] | 'all' | undefined) => {
    if (vms === 'all') r.wantsAll = true;
    for (const raw of vms === 'all' || vms === undefined ? [] : vms) {
      const bound = bindDefaults(playbook, raw);
      if (bound !== undefined) r.vmSet.add(bound);
    }
  };
  const vapp = (raw: string) => {
    const bound = bindDefaults(playbook, raw);
    if (bound !== undefined && !vapps.has(bound.toLowerCase())) {
      const n = named(bound, 'vapp');
      vapps.set(bound.toLowerCase(), { ...n, vms: [`${n.name}-vm01`, `${n.name}-vm02`] });
    }
  };
  const plan = (raw: string, firstAction: 'start' | 'undo' | 'check') => {
    const bound = bindDefaults(playbook, raw);
    if (bound !== undefined && !plans.has(bound.toLowerCase())) {
      const n = named(bound, 'plan');
      // A playbook that only undoes a plan needs it in failover to begin with.
      plans.set(bound.toLowerCase(), {
        ...n,
        vms: [`${n.name}-vm01`, `${n.name}-vm02`],
        ...(firstAction === 'undo' ? { active: true } : {}),
      });
    }
  };

  for (const step of flatten(playbook.steps)) {
    if (step.kind === 'failover') {
      const r = replica(step.cdpReplica);
      if (r) addVms(r, step.vms);
    } else if (step.kind === 'failoverVapp') vapp(step.vapp);
    else if (step.kind === 'failoverPlan') plan(step.plan, step.action);
    else if (step.kind === 'check') {
      if (step.cdpReplica !== undefined) {
        const r = replica(step.cdpReplica);
        if (r) addVms(r, step.vms);
      }
      if (step.vapp !== undefined) vapp(step.vapp);
      if (step.failoverPlan !== undefined) plan(step.failoverPlan, 'check');
      // Healthy: comfortably inside the RPO and app-consistent windows the checks demand.
      if (step.maxRpoMs !== undefined) lagMs = Math.min(lagMs, Math.max(1000, Math.floor(step.maxRpoMs / 4)));
      if (step.appConsistentWithinMs !== undefined)
        appEveryMs = Math.min(appEveryMs, Math.max(60_000, Math.floor(step.appConsistentWithinMs / 4)));
    }
  }

  const cdpReplicas: WrittenCdpReplica[] = [...replicas.values()].map(({ vmSet, wantsAll, ...r }) => {
    const vms = [...vmSet];
    if (vms.length === 0 || wantsAll)
      for (let i = vms.length + 1; i <= Math.max(3, vms.length); i++) vms.push(`${r.name}-vm${String(i).padStart(2, '0')}`);
    return { ...r, vms: vms.map((name) => (isGuid(name) ? { name: `vm-${name.slice(0, 8)}`, id: name.toLowerCase() } : name)) };
  });
  return {
    defaults: { history: { replicationLag: lagMs, appConsistentEvery: appEveryMs, history: '24h' } },
    cdpReplicas,
    vApps: [...vapps.values()],
    failoverPlans: [...plans.values()],
  };
}
