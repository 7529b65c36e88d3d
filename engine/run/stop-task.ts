// Stopping one task, truthfully (API spec §5.1, §5.2). DELETE /tasks/{id} stops a task only
// while it runs; on any other state it only makes EM forget the task and its result. So a
// task is DELETEd only when a read in this stop attempt showed it `Running`:
// - `Finished`: its Result is the truth (failed over, or failed); the DELETE is hygiene.
// - `OperationFinished`: the backup server has finished; EM collects the result on its
//   cycle (up to ~15 min). Never deleted: awaited until `Finished` within the budget, else
//   the VM is `unknown` with a manual check.
// - a read that keeps failing, or a 404 we did not cause: the state is not known, so
//   nothing is claimed: `unknown`, never `stopped`.
// `stopped` is said only after a `Running` read, a DELETE answered 204, and a read that
// then shows the task gone.

import type { EmClient, Task } from '../api/types.js';
import type { Clock } from '../clock.js';
import { EmHttpError, errorMessage } from '../errors.js';
import type { RetryPolicy } from '../playbook/types.js';
import type { ExecRunner } from './exec-runner.js';
import { deleteFinished } from './execute-task.js';
import { isFailover, type Ledger, type TaskEntry } from './ledger.js';
import type { RunRecorder } from './recorder.js';
import { describeSession, findRestoreSession } from './restore-lookup.js';
import { fromEarlierSession } from './session-epoch.js';

/** What a rollback needs (rollback.ts runs it; a stop pass here reads it). */
export interface RollbackContext {
  client: EmClient;
  clock: Clock;
  recorder: RunRecorder;
  ledger: Ledger;
  exec: ExecRunner;
  env: Record<string, string | undefined>;
  /** The RUNBOOK_* variables of an undo command (run-env.ts); absent: none. */
  runEnv?: (stepId: string) => Record<string, string>;
  pollIntervalMs: number;
  /** Re-reads of a deleted task before giving up on confirming its stop. @default 5 */
  confirmAttempts?: number;
  /** Retries of a failing task read before its state counts as unknown. @default 3 attempts, 1 s backoff */
  retry?: RetryPolicy;
  /** How long tasks that read OperationFinished are awaited until Finished (one budget per stop pass). @default SETTLE_MS */
  settleMs?: number;
}

/** How long a stop waits for an OperationFinished task to read Finished: EM's default collection cycle. */
export const SETTLE_MS = 15 * 60_000;
const READ_RETRY = { attempts: 3, backoffMs: 1000, maxBackoffMs: 10_000 };

const EARLIER_SESSION =
  'it belongs to an earlier logon session (EM tasks belong to the session that started them, and answer 404 to any other)';

type Read = { kind: 'task'; task: Task } | { kind: 'gone' } | { kind: 'unreachable'; why: string } | { kind: 'error'; why: string };

/** What a stop left to do: `settling` tasks read OperationFinished and are awaited by `awaitFinished`. */
export type StopResult = 'settled' | 'settling';

export async function stopOne(ctx: RollbackContext, entry: TaskEntry, why: string): Promise<StopResult> {
  const base = { action: 'delete-task' as const, stepId: entry.stepId, target: entry.target, taskId: entry.taskId };
  const unknown = (message: string): StopResult => {
    unknownState(ctx, entry, message);
    return 'settled';
  };
  const before = await readRetried(ctx, entry);
  if (before.kind === 'unreachable' || before.kind === 'gone') {
    const why =
      before.kind === 'gone'
        ? `task ${entry.taskId} was gone from Enterprise Manager before it could be read (deleted, or its session ended)`
        : `task ${entry.taskId} is unreachable: ${before.why}`;
    return (await fromRestoreSession(ctx, entry, why)) ? 'settled' : unknown(why);
  }
  if (before.kind === 'error') return unknown(`task ${entry.taskId} could not be read (${before.why}), so it was not stopped`);
  if (before.task.state === 'Finished') {
    finishedFirst(ctx, entry, before.task);
    await deleteFinished(ctx, entry.taskId, entry.stepId);
    return 'settled';
  }
  if (before.task.state === 'OperationFinished') return 'settling';
  // Set when the DELETE got no answer (or one that is not EM's): it may or may not have been
  // processed, and it is not re-sent (api/calls.ts), so the reads below tell.
  let lost: string | undefined;
  try {
    // Resolves on 404 too: the read that follows tells gone from unreachable.
    await ctx.client.deleteTask(entry.taskId);
  } catch (error) {
    lost = errorMessage(error);
    ctx.recorder.event('warning', `DELETE /tasks/${entry.taskId}: ${lost}; reading the task to see where it stands`, entry.stepId);
  }
  // Confirm: gone (404, in the session that owns it), or it finished before the stop took effect.
  const attempts = ctx.confirmAttempts ?? 5;
  for (let i = 0; i < attempts; i++) {
    const after = await readRetried(ctx, entry);
    if (after.kind === 'unreachable') return unknown(`stop sent, then task ${entry.taskId} became unreachable: ${after.why}`);
    if (after.kind === 'error') return unknown(`stop sent, but task ${entry.taskId} could not be read afterwards (${after.why})`);
    if (after.kind === 'gone' && lost !== undefined) {
      // The lost DELETE met the task Running (stopped) or Finished (EM forgot its result).
      const gone = `task ${entry.taskId} was gone after a DELETE whose answer was lost (${lost}): it was stopped, or it had finished first`;
      return (await fromRestoreSession(ctx, entry, gone)) ? 'settled' : unknown(gone);
    }
    if (after.kind === 'gone') {
      entry.status = 'stopped';
      markVm(ctx, entry, 'stopped', why);
      ctx.recorder.rollbackAction({ ...base, ok: true, message: `stopped (DELETE /tasks/${entry.taskId}, confirmed gone)` });
      return 'settled';
    }
    if (after.task.state === 'Finished') {
      finishedFirst(ctx, entry, after.task);
      return 'settled';
    }
    if (after.task.state === 'OperationFinished') return 'settling';
    await ctx.clock.sleep(ctx.pollIntervalMs);
  }
  ctx.recorder.rollbackAction({ ...base, ok: false, message: `DELETE sent but task ${entry.taskId} still reads Running` });
  ctx.recorder.manual({
    stepId: entry.stepId,
    target: entry.target,
    reason: 'rollback-failed',
    instruction: `task ${entry.taskId} did not stop: check it in the Veeam console`,
  });
  return 'settled';
}

/**
 * A task that read OperationFinished: the backup server has finished, EM has not collected
 * the result yet. Polled (never deleted) until Finished or until `deadline`; then `unknown`.
 */
export async function awaitFinished(ctx: RollbackContext, entry: TaskEntry, deadline: number): Promise<void> {
  let last = 'OperationFinished';
  for (;;) {
    // Polled for up to 15 minutes: a failing read is said once, in the final message.
    const read = await readOnce(ctx, entry, false);
    if (read.kind === 'task' && read.task.state === 'Finished') {
      finishedFirst(ctx, entry, read.task);
      await deleteFinished(ctx, entry.taskId, entry.stepId);
      return;
    }
    if (read.kind === 'unreachable' || read.kind === 'gone') break;
    if (read.kind === 'error') last = `the last read failed: ${read.why}`;
    else last = `it still read ${read.task.state}${read.task.result ? ` (Success=${String(read.task.result.success)})` : ''}`;
    if (ctx.clock.now() >= deadline) break;
    await ctx.clock.sleep(Math.min(ctx.pollIntervalMs, Math.max(1, deadline - ctx.clock.now())));
  }
  unknownState(
    ctx,
    entry,
    `task ${entry.taskId} read OperationFinished (the backup server had finished; ` +
      `EM had not collected the result) and was not seen Finished; ${last}`,
    `check "${entry.target}" in the VBR console; ` +
      `EM had reported the failover finished on the backup server (task ${entry.taskId}, OperationFinished), ` +
      'so it is most likely failed over; it was NOT stopped',
  );
}

/**
 * A task we cannot reach: its VM's restore session may tell how the failover ended
 * (restore-lookup.ts). True when it did; one still running cannot be stopped from here.
 */
async function fromRestoreSession(ctx: RollbackContext, entry: TaskEntry, why: string): Promise<boolean> {
  if (!isFailover(entry.op) || entry.postedAt === undefined) return false;
  const found = await findRestoreSession(ctx.client, entry.target, entry.postedAt);
  if (!found) return false;
  if (found.outcome === 'running') {
    unknownState(
      ctx,
      entry,
      `${why}; ${describeSession(found)}`,
      `the failover of "${entry.target}" still runs on the backup server (${describeSession(found)}) ` +
        `and its task cannot be reached to stop it: stop it in the Veeam Backup & Replication console, ` +
        `or check later whether it is failed over`,
    );
    return true;
  }
  const ok = found.outcome === 'failed-over';
  finishedFirst(ctx, entry, {
    taskId: entry.taskId,
    state: 'Finished',
    operation: 'StartFailover',
    href: '',
    result: { success: ok, message: `${why}; ${describeSession(found)}` },
  });
  return true;
}

/** GET /tasks/{id}, told apart: its state, gone (404 in its own session), unreachable (404 from another session), or a failed read. */
async function readOnce(ctx: RollbackContext, entry: TaskEntry, warn = true): Promise<Read> {
  try {
    return { kind: 'task', task: await ctx.client.getTask(entry.taskId) };
  } catch (error) {
    if (error instanceof EmHttpError && error.status === 404) {
      return fromEarlierSession(ctx.client, entry.sessionEpoch) ? { kind: 'unreachable', why: EARLIER_SESSION } : { kind: 'gone' };
    }
    if (warn) ctx.recorder.event('warning', `reading task ${entry.taskId} to stop it: ${errorMessage(error)}`, entry.stepId);
    return { kind: 'error', why: errorMessage(error) };
  }
}

/** A read retried with the usual backoff while it fails; a state, a 404 or the last failure. */
async function readRetried(ctx: RollbackContext, entry: TaskEntry): Promise<Read> {
  const retry = ctx.retry ?? READ_RETRY;
  let read = await readOnce(ctx, entry);
  for (let i = 1; read.kind === 'error' && i < retry.attempts; i++) {
    await ctx.clock.sleep(Math.min(retry.backoffMs * 2 ** (i - 1), retry.maxBackoffMs));
    read = await readOnce(ctx, entry);
  }
  return read;
}

/**
 * The tool cannot tell where the task stands: nothing is claimed. The VM is `unknown`, the
 * journal says so (task-lost), and the operator checks by hand.
 */
function unknownState(ctx: RollbackContext, entry: TaskEntry, message: string, instruction?: string): void {
  entry.status = 'unknown';
  ctx.recorder.taskLost(entry.stepId, entry.target, entry.taskId, `${message}; whether it failed over is unknown`);
  markVm(ctx, entry, 'unknown', message);
  ctx.recorder.rollbackAction({
    action: 'delete-task',
    stepId: entry.stepId,
    target: entry.target,
    taskId: entry.taskId,
    ok: false,
    message: `${message}: outcome unknown`,
  });
  ctx.recorder.manual({
    stepId: entry.stepId,
    target: entry.target,
    reason: 'unknown',
    instruction:
      instruction ??
      `where task ${entry.taskId} for "${entry.target}" stands is unknown (${message}): ` +
        `check in the Veeam Backup & Replication console whether "${entry.target}" is failed over, ` +
        `and stop the task there if it still runs`,
  });
}

/**
 * The task finished (before the stop, or while awaited): its result is the truth. The
 * journal gets the task-result line (so status no longer lists the VM as in flight); a
 * successful CDP failover IS done, which EM cannot undo: a manual action says so.
 */
function finishedFirst(ctx: RollbackContext, entry: TaskEntry, task: Task): void {
  const ok = task.result?.success === true;
  const emMessage = task.result?.message;
  entry.status = ok ? 'succeeded' : 'failed';
  ctx.recorder.taskResult({
    stepId: entry.stepId,
    target: entry.target,
    taskId: entry.taskId,
    success: ok,
    ...(emMessage !== undefined ? { message: emMessage } : {}),
  });
  const failover = isFailover(entry.op);
  markVm(ctx, entry, ok ? 'done' : 'failed', ok ? 'finished before it could be stopped: failed over' : (emMessage ?? 'failed'));
  ctx.recorder.rollbackAction({
    action: 'delete-task',
    stepId: entry.stepId,
    target: entry.target,
    taskId: entry.taskId,
    ok: !ok,
    message: ok
      ? `finished successfully before it could be stopped${failover ? ': it IS failed over' : ''}`
      : `finished with failure before the stop: ${emMessage ?? 'no message'}; not failed over`,
  });
  if (ok && failover) {
    const what = entry.op === 'cdp-failover' ? 'VM' : 'vApp';
    ctx.recorder.manual({
      stepId: entry.stepId,
      target: entry.target,
      reason: 'failed-over',
      instruction:
        `${what} "${entry.target}" IS failed over (its task finished before it could be stopped) ` +
        'and EM has no undo for CDP failover: undo or commit it in the Veeam Backup & Replication console (Replicas > Undo Failover)',
    });
  }
  // A plan start that won the race is a started plan: its step still reads failed (it timed out
  // or was stopped), so only this line tells the operator (a rollback undoes plans it found
  // started before its stops, not this one).
  if (ok && entry.op === 'plan-start') {
    ctx.recorder.manual({
      stepId: entry.stepId,
      target: entry.target,
      reason: 'failed-over',
      instruction:
        `failover plan "${entry.target}" IS started (its task finished before it could be stopped): ` +
        'undo it in the Veeam Backup & Replication console (Failover Plans > Undo) if it must not stay started',
    });
  }
}

function markVm(ctx: RollbackContext, entry: TaskEntry, state: 'stopped' | 'done' | 'failed' | 'unknown', message: string): void {
  if (isFailover(entry.op)) ctx.recorder.vmState(entry.stepId, entry.target, state, { message });
}
