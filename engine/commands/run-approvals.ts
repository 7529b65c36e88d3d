// `runbook run --approve STEP`: approval steps decided ahead, checked against the playbook
// before anything is sent. A step nobody could decide (a rehearsal without --state-dir,
// where `runbook approve` has nowhere to write) is refused up front, not found out mid-run.

import { UsageError } from '../errors.js';
import type { ApprovalRecord } from '../state/report-types.js';

interface StepLike {
  id: string;
  kind: string;
  steps?: StepLike[];
}

/** The ids of the approval steps, parallel groups included, less those already done (--resume). */
export function approvalStepIds(steps: readonly StepLike[], done: ReadonlySet<string> = new Set()): string[] {
  const flat = (list: readonly StepLike[]): StepLike[] => list.flatMap((s) => [s, ...(s.kind === 'parallel' ? flat(s.steps ?? []) : [])]);
  return flat(steps)
    .filter((s) => s.kind === 'approval' && !done.has(s.id))
    .map((s) => s.id);
}

/** `--approve` names approval steps still to run, and every other gate can be decided (checked before anything is sent). */
export function checkApprovals(ids: readonly string[], approve: readonly string[], hasStateDir: boolean, signed = false): void {
  if (signed && approve.length > 0) {
    throw new UsageError(
      `--approve ${approve[0]}: this playbook's approvers block needs signed decisions, ` +
        'and --approve cannot sign: let the run wait and decide with runbook approve --run ID --step STEP --sign-with KEY',
    );
  }
  for (const id of approve) {
    if (ids.includes(id)) continue;
    const known = ids.length > 0 ? `approval steps here: ${ids.join(', ')}` : 'this playbook has no approval step left to run';
    throw new UsageError(`--approve ${id}: no approval step has this id (${known})`);
  }
  const undecided = ids.filter((id) => !approve.includes(id));
  if (!hasStateDir && undecided.length > 0) {
    const one = undecided.length === 1;
    throw new UsageError(
      `step${one ? '' : 's'} ${undecided.map((id) => `"${id}"`).join(', ')} wait${one ? 's' : ''} for ` +
        `an approval, and 'runbook approve' cannot reach a rehearsal without --state-dir: ` +
        `pass ${undecided.map((id) => `--approve ${id}`).join(' ')}, or --state-dir DIR and decide from another terminal`,
    );
  }
}

/** The decisions given with `--approve`, once the gates left to run are known. */
export function approvalsAhead(
  ids: readonly string[],
  approve: readonly string[],
  o: { hasStateDir: boolean; by: string; at: string; signed?: boolean },
): Map<string, ApprovalRecord> {
  checkApprovals(ids, approve, o.hasStateDir, o.signed);
  return new Map(approve.map((id) => [id, { decision: 'approved', by: o.by, at: o.at, via: '--approve', signed: false, readAt: o.at }]));
}
