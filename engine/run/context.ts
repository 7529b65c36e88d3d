// What every step runner shares during a run.

import { formatDuration } from '../duration.js';
import { setMaxListeners } from 'node:events';
import type { EmClient } from '../api/types.js';
import type { Clock } from '../clock.js';
import { errorMessage } from '../errors.js';
import type { RetryPolicy, StepOutcome } from '../playbook/types.js';
import type { Plan } from '../plan/types.js';
import type { ApprovalInbox } from '../state/approvals.js';
import type { ExecRunner } from './exec-runner.js';
import type { InFlightLimit } from './in-flight.js';
import type { Ledger } from './ledger.js';
import type { TaskPoller } from './poller.js';
import type { RunRecorder } from './recorder.js';
import { backoffDelay } from '../backoff.js';

export interface ExecContext {
  plan: Plan;
  client: EmClient;
  clock: Clock;
  recorder: RunRecorder;
  poller: TaskPoller;
  /** The run-wide cap on failovers in flight (`--concurrency`), shared by parallel steps. */
  inFlight: InFlightLimit;
  exec: ExecRunner;
  ledger: Ledger;
  /** Base environment for exec steps (the command's io.env). */
  env: Record<string, string | undefined>;
  /** Aborted on SIGINT/SIGTERM (reason: InterruptedError). */
  runSignal: AbortSignal;
  outcomes: Map<string, StepOutcome>;
  /** Injected randomness for backoff jitter. */
  random: () => number;
  /** Decisions on approval steps (approvals.ts); absent: no approval can arrive. */
  approvals?: ApprovalInbox;
  /** The RUNBOOK_* variables of an exec command of this step, as the run stands (run-env.ts). */
  runEnv: (stepId: string) => Record<string, string>;
}

/** The result of running one step. */
export interface StepResult {
  outcome: StepOutcome;
  error?: string;
  /** Set when the step was cut short by its timeout. */
  timedOut?: boolean;
}

/** The step's timeout fired. */
export class StepTimeoutError extends Error {
  override name = 'StepTimeoutError';
}

/**
 * Retries a read (never a mutating call) with the step's policy: exponential backoff with
 * jitter on the injected clock. Aborts stop it at once.
 */
export async function withRetry<T>(
  ctx: ExecContext,
  policy: RetryPolicy,
  what: string,
  signal: AbortSignal,
  stepId: string,
  fn: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (attempt >= policy.attempts) throw error;
      await pauseBeforeRetry(ctx, policy, attempt, `${what} failed (${errorMessage(error)})`, stepId, signal);
    }
  }
}

/** Records why a step retries and sleeps the backoff (with jitter) on the injected clock; rejects on abort. */
export async function pauseBeforeRetry(
  ctx: ExecContext,
  policy: RetryPolicy,
  attempt: number,
  why: string,
  stepId: string,
  signal: AbortSignal,
): Promise<void> {
  const delay = backoffDelay(attempt, policy.backoffMs, policy.maxBackoffMs, ctx.random);
  ctx.recorder.event('retry', `${why}; attempt ${attempt + 1} of ${policy.attempts} in ${formatDuration(delay)}`, stepId);
  await ctx.clock.sleep(delay, signal);
}

/**
 * A signal for one step: aborted by the run signal, by the step timeout (on the injected
 * clock) or by `cancel()`. `dispose()` stops the timer.
 */
export function stepSignal(ctx: ExecContext, parent: AbortSignal, timeoutMs: number) {
  const controller = new AbortController();
  // Every VM in flight (concurrency can be 50) may wait on this signal at once: sleeps,
  // requests, child steps. That is by design, not a leak: no MaxListenersExceededWarning.
  setMaxListeners(0, controller.signal);
  const timer = new AbortController();
  const onParent = () => controller.abort(parent.reason);
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener('abort', onParent, { once: true });
  ctx.clock.sleep(timeoutMs, timer.signal).then(
    () => controller.abort(new StepTimeoutError(`timed out after ${formatDuration(timeoutMs)}`)),
    () => undefined, // disposed: the step ended first
  );
  return {
    signal: controller.signal,
    cancel: (reason: unknown) => controller.abort(reason),
    dispose: () => {
      timer.abort();
      parent.removeEventListener('abort', onParent);
    },
  };
}
