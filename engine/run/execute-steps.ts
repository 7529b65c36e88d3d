// The steps that send no failover: check (read-only guards), wait, exec.

import { errorMessage } from '../errors.js';
import { runChecks } from '../plan/checks.js';
import type { PlanCheckStep, PlanExecStep, PlanWaitStep } from '../plan/types.js';
import { pauseBeforeRetry, StepTimeoutError, withRetry, type ExecContext, type StepResult } from './context.js';
import type { StepControl } from './execute-failover.js';

export async function runCheckStep(ctx: ExecContext, step: PlanCheckStep, control: StepControl): Promise<StepResult> {
  try {
    const findings = await withRetry(ctx, step.retry, `check "${step.id}"`, control.signal, step.id, () =>
      runChecks(step, ctx.client, ctx.clock, { signal: control.signal }),
    );
    ctx.recorder.checks(step.id, findings);
    for (const f of findings) ctx.recorder.output(step.id, `${f.ok ? '✔' : '✖'} ${f.message}`);
    const failed = findings.filter((f) => !f.ok);
    return failed.length > 0 ? { outcome: 'failed', error: failed.map((f) => f.message).join('; ') } : { outcome: 'succeeded' };
  } catch (error) {
    return aborted(control, error);
  }
}

export async function runWaitStep(ctx: ExecContext, step: PlanWaitStep, control: StepControl): Promise<StepResult> {
  try {
    await ctx.clock.sleep(step.durationMs, control.signal);
    return { outcome: 'succeeded' };
  } catch (error) {
    return aborted(control, error);
  }
}

export async function runExecStep(ctx: ExecContext, step: PlanExecStep, control: StepControl): Promise<StepResult> {
  // A rehearsal changes nothing outside the simulator: exec runs only when the step opts in.
  const rehearsal = ctx.plan.server.simulated;
  if (rehearsal && step.rehearse === undefined) return rehearsedNotRun(ctx, step);
  const standIn = rehearsal && step.rehearse !== 'run' ? step.rehearse : undefined;
  const command = standIn ?? step.command;
  if (standIn) ctx.recorder.output(step.id, `rehearsal: running the stand-in instead of ${step.command.join(' ')}`);
  let last = '';
  for (let attempt = 1; attempt <= step.retry.attempts; attempt++) {
    if (control.signal.aborted) return aborted(control, control.signal.reason);
    const result = await ctx.exec.run({
      command,
      shell: step.shell,
      env: { ...ctx.env, ...ctx.runEnv(step.id), ...step.env },
      cwd: step.cwd,
      signal: control.signal,
      onOutput: (line) => ctx.recorder.output(step.id, line),
    });
    ctx.recorder.exec(step.id, command, result.exitCode, false, result.output, standIn ? 'stand-in' : undefined);
    if (result.exitCode === step.expectExit && !result.error) {
      // A stand-in's undo would be the real step's undo: a rehearsal does not run it.
      ledgerExec(ctx, step, command, standIn !== undefined);
      return { outcome: 'succeeded' };
    }
    last = result.error
      ? `${command[0] ?? ''}: ${result.error}`
      : `${command[0] ?? ''} exited ${result.exitCode ?? 'abnormally'} (expected ${step.expectExit})`;
    if (control.signal.aborted) return aborted(control, control.signal.reason);
    if (attempt < step.retry.attempts) {
      try {
        await pauseBeforeRetry(ctx, step.retry, attempt, last, step.id, control.signal);
      } catch (error) {
        return aborted(control, error);
      }
    }
  }
  return { outcome: 'failed', error: last };
}

/** Shown and recorded, counted as succeeded (its expectExit assumed); its undo is not run either. */
function rehearsedNotRun(ctx: ExecContext, step: PlanExecStep): StepResult {
  ctx.recorder.output(step.id, `rehearsed, not run: ${step.command.join(' ')}`);
  ctx.recorder.exec(step.id, step.command, step.expectExit, false, undefined, 'not-run');
  ledgerExec(ctx, step, step.command, true);
  return { outcome: 'succeeded' };
}

/** A succeeded exec step in the ledger, so a rollback runs its undo (unless only rehearsed). */
function ledgerExec(ctx: ExecContext, step: PlanExecStep, command: string[], undoRehearsed: boolean): void {
  ctx.ledger.add({
    kind: 'exec',
    stepId: step.id,
    command,
    ...(step.undo ? { undo: step.undo, ...(undoRehearsed ? { undoRehearsed: true } : {}) } : {}),
    shell: step.shell,
    env: step.env,
    cwd: step.cwd,
    timeoutMs: step.timeoutMs,
    succeeded: true,
  });
}

function aborted(control: StepControl, error: unknown): StepResult {
  if (control.signal.aborted && control.signal.reason instanceof StepTimeoutError) {
    return { outcome: 'failed', timedOut: true, error: errorMessage(control.signal.reason) };
  }
  return { outcome: 'failed', error: errorMessage(control.signal.aborted ? control.signal.reason : error) };
}
