// The never-twice rule at plan time: the same VM (or vApp) in two failover steps would be
// failed over twice, so the plan refuses it before anything runs. Steps whose `when` is
// known false do not count: they will be skipped.

import type { PlanStep } from './types.js';

/** One problem per repeated target, naming the step that fails it over first. */
export function neverTwiceProblems(steps: PlanStep[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  const visit = (list: PlanStep[]) => {
    for (const s of list) {
      if (s.whenStatus.known && !s.whenStatus.value) continue;
      if (s.kind === 'parallel') visit(s.steps);
      const targets = s.kind === 'failover' ? s.vms : s.kind === 'failoverVapp' && s.vapp.id ? [s.vapp] : [];
      for (const t of targets) {
        const key = `${t.replicaId}/${t.id}`;
        const first = seen.get(key);
        if (first !== undefined) {
          problems.push(`step "${s.id}": VM "${t.name}" is already failed over by step "${first}" (a VM must never be failed over twice)`);
        } else {
          seen.set(key, s.id);
        }
      }
    }
  };
  visit(steps);
  return problems;
}
