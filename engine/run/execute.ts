// The executor: runs a resolved Plan step by step. `when` decides at the moment the step
// comes up; after a failure the remaining steps are skipped (abort, rollback) or run
// (continue), `always` steps run regardless; rollback follows the failing step at once.
// An interrupt (SIGINT/SIGTERM through `signal`) stops new work, rolls back, and the run
// ends `interrupted`. The executor reports through the RunRecorder and knows no listr2.

import { setMaxListeners } from 'node:events';
import type { EmClient } from '../api/types.js';
import type { Clock } from '../clock.js';
import { errorMessage } from '../errors.js';
import type { FailurePolicy, StepOutcome } from '../playbook/types.js';
import { describeCondition, evaluateCondition } from '../plan/conditions.js';
import { flattenSteps, type Plan, type PlanStep } from '../plan/types.js';
import type { ApprovalInbox } from '../state/approvals.js';
import { stepSignal, type ExecContext, type StepResult } from './context.js';
import { spawnExecRunner, type ExecRunner } from './exec-runner.js';
import { runFailoverStep, runPlanStep, runVappStep, SiblingFailedError, type StepControl } from './execute-failover.js';
import { runApprovalStep } from './execute-approval.js';
import { runCheckStep, runExecStep, runWaitStep } from './execute-steps.js';
import { InFlightLimit } from './in-flight.js';
import { isFailover, Ledger } from './ledger.js';
import { TaskPoller } from './poller.js';
import type { RunRecorder } from './recorder.js';
import type { RunOutcome, RunReport } from '../state/report-types.js';
import { listManual, rollback, stopTasks } from './rollback.js';
import type { RollbackContext } from './stop-task.js';
import { nothingLeft } from '../state/outcome-words.js';
import { runEnv } from './run-env.js';

export interface ExecuteOptions {
  plan: Plan;
  client: EmClient;
  clock: Clock;
  recorder: RunRecorder;
  /** Decisions on approval steps; absent: an approval step fails at once. */
  approvals?: ApprovalInbox;
  /** Where the run is journaled; exec commands see it as RUNBOOK_STATE_DIR. */
  stateDir?: string;
  /** Aborted on SIGINT/SIGTERM; its reason (an InterruptedError) ends the run `interrupted`. */
  signal: AbortSignal;
  env?: Record<string, string | undefined>;
  exec?: ExecRunner;
  random?: () => number;
}

export interface ExecuteResult {
  report: RunReport;
  outcome: RunOutcome;
  /** Set when the run was interrupted: the signal's reason, to rethrow after printing. */
  interrupted?: unknown;
  /** Failed steps with their errors, for the summary. */
  failures: { stepId: string; error: string }[];
  /** The shared poller's request count (benchmarks, tests). */
  polls: number;
}

const SEVERITY: Record<FailurePolicy, number> = { continue: 0, abort: 1, rollback: 2 };

interface Ran extends StepResult {
  policy: FailurePolicy;
}

export async function executePlan(o: ExecuteOptions): Promise<ExecuteResult> {
  // The run signal: one listener per step signal of a parallel group, per poll, per sleep.
  setMaxListeners(0, o.signal);
  const { ctx, rb, poller } = runContexts(o);
  const failures: { stepId: string; error: string }[] = [];
  let rolledBack = await runSteps(ctx, rb, o.signal, failures);

  let interrupted: unknown;
  if (o.signal.aborted) {
    interrupted = o.signal.reason;
    o.recorder.event('interrupt', `${errorMessage(interrupted)}: stopping new work and rolling back`);
    if (!rolledBack) {
      rolledBack = true;
      await rollback(rb, errorMessage(interrupted));
    }
  }
  abandonLost(ctx);
  listManual(rb, { failedOver: false });
  // "Rolled back" only when nothing the run changed is left changed (EM cannot undo a CDP failover).
  const cleanRollback = rolledBack && nothingLeft(o.recorder.report);
  const outcome: RunOutcome =
    interrupted !== undefined ? 'interrupted' : cleanRollback ? 'rolled-back' : failures.length > 0 || rolledBack ? 'failed' : 'succeeded';
  return { report: o.recorder.report, outcome, ...(interrupted !== undefined ? { interrupted } : {}), failures, polls: poller.ticks };
}

/** What the steps run with (`ctx`) and what rollback runs with (`rb`): one ledger, one poller. */
function runContexts(o: ExecuteOptions): { ctx: ExecContext; rb: RollbackContext; poller: TaskPoller } {
  const ledger = new Ledger();
  const env = o.env ?? {};
  const exec = o.exec ?? spawnExecRunner;
  const poller = new TaskPoller({
    client: o.client,
    clock: o.clock,
    intervalMs: o.plan.pollIntervalMs,
    signal: o.signal,
    retry: o.plan.retry,
    onRetry: (m) => o.recorder.event('retry', m),
    onStall: (m) => o.recorder.event('warning', m),
  });
  const outcomes = new Map<string, StepOutcome>();
  const facts = {
    runId: o.recorder.report.runId,
    playbook: o.plan.playbook.name,
    simulated: o.plan.server.simulated,
    ...(o.stateDir !== undefined ? { stateDir: o.stateDir } : {}),
  };
  const envAt = (rollback: boolean) => (stepId: string) => runEnv(facts, stepId, { outcomes, interrupted: o.signal.aborted, rollback });
  const ctx: ExecContext = {
    plan: o.plan,
    client: o.client,
    clock: o.clock,
    recorder: o.recorder,
    poller,
    inFlight: new InFlightLimit(o.plan.maxInFlight ?? Number.POSITIVE_INFINITY),
    exec,
    ledger,
    env,
    runSignal: o.signal,
    outcomes,
    random: o.random ?? Math.random,
    runEnv: envAt(false),
    ...(o.approvals ? { approvals: o.approvals } : {}),
  };
  const rb: RollbackContext = {
    client: o.client,
    clock: o.clock,
    recorder: o.recorder,
    ledger,
    exec,
    env,
    runEnv: envAt(true),
    pollIntervalMs: o.plan.pollIntervalMs,
  };
  return { ctx, rb, poller };
}

/**
 * The top-level steps in order. After a failure under `abort` or `rollback` only `always`
 * steps run; the first failure under `rollback` rolls back at once. Returns whether it did.
 */
async function runSteps(
  ctx: ExecContext,
  rb: RollbackContext,
  signal: AbortSignal,
  failures: { stepId: string; error: string }[],
): Promise<boolean> {
  let fatal = false;
  let rolledBack = false;
  for (const step of ctx.plan.steps) {
    if (signal.aborted) {
      skipTree(ctx, step, 'the run was interrupted');
      continue;
    }
    if (fatal && !step.always) {
      skipTree(ctx, step, 'an earlier step failed');
      continue;
    }
    const ran = await runStep(ctx, rb, step, signal, failures);
    if (ran.outcome !== 'failed' || signal.aborted) continue;
    if (ran.policy !== 'continue') fatal = true;
    if (ran.policy === 'rollback' && !rolledBack) {
      rolledBack = true;
      await rollback(rb, `step "${step.id}" failed: ${ran.error ?? ''}`);
    }
  }
  return rolledBack;
}

async function runStep(
  ctx: ExecContext,
  rb: RollbackContext,
  step: PlanStep,
  parent: AbortSignal,
  failures: { stepId: string; error: string }[],
): Promise<Ran> {
  const doneBy = ctx.plan.resumed?.steps;
  if (doneBy?.[step.id] !== undefined) {
    // Done by the run this one resumes (or one it resumed): shown as skipped, and a success for later `when`s.
    for (const s of flattenSteps([step])) {
      ctx.outcomes.set(s.id, 'succeeded');
      ctx.recorder.stepSkipped(s.id, `done by run ${doneBy[s.id] ?? doneBy[step.id]} (resumed)`);
    }
    return { outcome: 'succeeded', policy: step.onFailure };
  }
  if (step.when !== undefined) {
    const go = evaluateCondition(step.when, { params: ctx.plan.params, env: ctx.env, outcomes: ctx.outcomes });
    if (go !== true) {
      skipTree(ctx, step, `condition not met: ${describeCondition(step.when)}`);
      return { outcome: 'skipped', policy: step.onFailure };
    }
  }
  ctx.recorder.stepStart(step.id);
  // People do not decide faster in a rehearsal: an approval's timeout is real time.
  const timer = stepSignal(ctx, parent, step.kind === 'approval' ? step.timeoutMs * (ctx.plan.server.timeScale ?? 1) : step.timeoutMs);
  const control: StepControl = { signal: timer.signal, cancel: timer.cancel };
  let result: Ran;
  try {
    result = await dispatch(ctx, rb, step, control, failures);
  } catch (error) {
    // A bug or an unexpected client error in a step must not skip rollback: fail the step.
    result = { outcome: 'failed', error: errorMessage(error), policy: step.onFailure };
  } finally {
    timer.dispose();
  }
  if (result.timedOut) {
    // Work still running past the step's timeout is abandoned: stop it now, whatever the policy.
    const ids = new Set(flattenSteps([step]).map((s) => s.id));
    await stopTasks(
      rb,
      ctx.ledger.running((e) => ids.has(e.stepId)),
      `stopped: step "${step.id}" timed out`,
    );
  }
  ctx.outcomes.set(step.id, result.outcome);
  ctx.recorder.stepEnd(step.id, result.outcome, result.error !== undefined && result.outcome === 'failed' ? { error: result.error } : {});
  if (result.outcome === 'failed' && step.kind !== 'parallel') failures.push({ stepId: step.id, error: result.error ?? 'failed' });
  return result;
}

async function dispatch(
  ctx: ExecContext,
  rb: RollbackContext,
  step: PlanStep,
  control: StepControl,
  failures: { stepId: string; error: string }[],
): Promise<Ran> {
  const policy = step.onFailure;
  switch (step.kind) {
    case 'failover':
      return { ...(await runFailoverStep(ctx, step, control)), policy };
    case 'failoverVapp':
      return { ...(await runVappStep(ctx, step, control)), policy };
    case 'failoverPlan':
      return { ...(await runPlanStep(ctx, step, control)), policy };
    case 'check':
      return { ...(await runCheckStep(ctx, step, control)), policy };
    case 'wait':
      return { ...(await runWaitStep(ctx, step, control)), policy };
    case 'approval':
      return { ...(await runApprovalStep(ctx, step, control)), policy };
    case 'exec':
      return { ...(await runExecStep(ctx, step, control)), policy };
    case 'parallel': {
      // Children run together; one failing under `rollback` cancels its siblings. The group
      // takes the most severe policy among its failed children.
      const results = await Promise.all(
        step.steps.map(async (child) => {
          const r = await runStep(ctx, rb, child, control.signal, failures);
          if (r.outcome === 'failed' && r.policy === 'rollback') control.cancel(new SiblingFailedError(`step "${child.id}" failed`));
          return { child, r };
        }),
      );
      const failed = results.filter((x) => x.r.outcome === 'failed');
      if (failed.length === 0) return { outcome: 'succeeded', policy };
      const worst = failed.reduce<FailurePolicy>((acc, x) => (SEVERITY[x.r.policy] > SEVERITY[acc] ? x.r.policy : acc), 'continue');
      return {
        outcome: 'failed',
        error: failed.map((x) => `${x.child.id}: ${x.r.error ?? 'failed'}`).join('; '),
        policy: worst,
        ...(failed.some((x) => x.r.timedOut) ? { timedOut: true } : {}),
      };
    }
  }
}

/**
 * Tasks still `running` in the ledger once every step is done: the run lost track of them
 * (polls failed for good) and no rollback or timeout stopped them. Never left `running`:
 * their outcome is unknown, journaled (`task-lost`) and listed for a manual check.
 */
function abandonLost(ctx: ExecContext): void {
  for (const entry of ctx.ledger.running()) {
    const message =
      `${entry.lostTrack ?? `task ${entry.taskId} was still running when the run ended`}: ` +
      `whether it completed is unknown, and it may still be running in Enterprise Manager`;
    entry.status = 'unknown';
    ctx.ledger.add({ kind: 'unknown', op: entry.op, stepId: entry.stepId, target: entry.target, targetId: entry.targetId, error: message });
    ctx.recorder.taskLost(entry.stepId, entry.target, entry.taskId, message);
    if (isFailover(entry.op)) ctx.recorder.vmState(entry.stepId, entry.target, 'unknown', { message });
    else ctx.recorder.output(entry.stepId, `unknown: ${message}`);
  }
}

function skipTree(ctx: ExecContext, step: PlanStep, reason: string): void {
  for (const s of flattenSteps([step])) {
    ctx.outcomes.set(s.id, 'skipped');
    ctx.recorder.stepSkipped(s.id, reason);
  }
}
