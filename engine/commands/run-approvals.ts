// `runbook run --approve STEP`: approval steps decided ahead, checked against the plan
// before anything is sent. A step nobody could decide (a rehearsal without --state-dir,
// where `runbook approve` has nowhere to write) is refused up front, not found out mid-run.

import { UsageError } from '../errors.js';
import { flattenSteps, type Plan } from '../plan/types.js';
import type { Decision } from '../run/approvals.js';

export function approvalsAhead(plan: Plan, approve: readonly string[], o: { hasStateDir: boolean; by: string; at: string }): Map<string, Decision> {
  const done = new Set(Object.keys(plan.resumed?.steps ?? {}));
  const steps = flattenSteps(plan.steps).filter((s) => s.kind === 'approval' && !done.has(s.id));
  const ids = steps.map((s) => s.id);
  for (const id of approve) {
    if (ids.includes(id)) continue;
    const known = ids.length > 0 ? `approval steps here: ${ids.join(', ')}` : 'this playbook has no approval step left to run';
    throw new UsageError(`--approve ${id}: no approval step has this id (${known})`);
  }
  const undecided = ids.filter((id) => !approve.includes(id));
  if (!o.hasStateDir && undecided.length > 0) {
    throw new UsageError(
      `step${undecided.length === 1 ? '' : 's'} ${undecided.map((id) => `"${id}"`).join(', ')} wait${undecided.length === 1 ? 's' : ''} for an approval, and 'runbook approve' cannot reach a rehearsal without --state-dir: ` +
        `pass ${undecided.map((id) => `--approve ${id}`).join(' ')}, or --state-dir DIR and decide from another terminal`,
    );
  }
  return new Map(approve.map((id) => [id, { decision: 'approved', by: o.by, at: o.at, via: '--approve' }]));
}
