// An `approval` step: the run waits, its other work paused behind it, until an operator
// approves (the step succeeds) or rejects (it fails, and the step's onFailure applies). No
// decision within the step's timeout fails it too; Ctrl-C interrupts it like any wait.

import { errorMessage } from '../errors.js';
import type { PlanApprovalStep } from '../plan/types.js';
import { StepTimeoutError, type ExecContext, type StepResult } from './context.js';
import type { StepControl } from './execute-failover.js';
import { approvalText } from '../state/approval-text.js';
import type { ApprovalRecord } from '../state/report-types.js';

/** How often the inbox is read while waiting (real time): a decision is acted on within this. */
export const APPROVAL_POLL_MS = 1_000;

export async function runApprovalStep(ctx: ExecContext, step: PlanApprovalStep, control: StepControl): Promise<StepResult> {
  const inbox = ctx.approvals;
  if (!inbox)
    return { outcome: 'failed', error: `no approval can reach this run (a rehearsal without --state-dir): pass --approve ${step.id}` };
  const gate = inbox.open(step);
  const read = (): ApprovalRecord | undefined => {
    const r = gate.poll();
    for (const f of r.refused) {
      // Journaled as refused; the gate keeps waiting for a decision it can accept.
      ctx.recorder.approvalRefused(step.id, f.file, f.why);
      ctx.recorder.output(step.id, `refused decision ${f.file}: ${f.why}`);
    }
    return r.decision;
  };
  let decision = read();
  if (!decision) {
    ctx.recorder.output(step.id, `waiting for approval: ${step.message}`);
    ctx.recorder.output(step.id, `to decide: ${inbox.howTo(step.id)}`);
  }
  // The run's clock runs timeScale× faster in a rehearsal; the inbox is read once a real second.
  const pollMs = APPROVAL_POLL_MS * (ctx.plan.server.timeScale ?? 1);
  try {
    while (!decision) {
      await ctx.clock.sleep(pollMs, control.signal);
      decision = read();
    }
  } catch (error) {
    if (control.signal.aborted && control.signal.reason instanceof StepTimeoutError) {
      return { outcome: 'failed', timedOut: true, error: `no decision: ${errorMessage(control.signal.reason)}` };
    }
    return { outcome: 'failed', error: errorMessage(control.signal.aborted ? control.signal.reason : error) };
  }
  ctx.recorder.approval(step.id, decision);
  ctx.recorder.output(step.id, approvalText(decision));
  const why = decision.reason !== undefined ? `: ${decision.reason}` : '';
  return decision.decision === 'approved'
    ? { outcome: 'succeeded' }
    : { outcome: 'failed', error: `rejected by ${decision.by} (${decision.signed ? 'signed' : 'unsigned'})${why}` };
}
