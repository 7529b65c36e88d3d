// Rollback by task deletion. 1. (the caller has stopped launching work) 2. every task still
// running is read, then stopped with DELETE /tasks/{id}, newest first, and each stop is
// confirmed by reading it again (404 = gone; but a 404 for a task of an earlier logon
// session means unreachable, not gone: the VM is then `unknown`, for a manual check); 3. completed plan starts are undone (?action=undo, task
// awaited) and exec steps run their undo, newest first; 4. completed CDP failovers, which
// EM cannot undo (§4), are listed for the operator. It runs to the end whatever fails,
// and records every failure. It never uses the run's (possibly aborted) signal.

import type { EmClient, Task } from '../api/types.js';
import type { Clock } from '../clock.js';
import { EmHttpError, errorMessage } from '../errors.js';
import type { ExecRunner } from './exec-runner.js';
import { deleteFinished } from './execute-task.js';
import { isFailover, type ExecEntry, type Ledger, type TaskEntry } from './ledger.js';
import { TaskPoller } from './poller.js';
import type { PlannedRollback } from './events.js';
import type { RunRecorder } from './recorder.js';
import { fromEarlierSession } from './session-epoch.js';

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
}

const RETRY = { attempts: 3, backoffMs: 1000, maxBackoffMs: 10_000 };

/** Latest started first. Positions are looked up once: indexOf in the comparator was O(n² log n) over a 10,000-task rollback. */
function newestFirst(ctx: RollbackContext, entries: TaskEntry[]): TaskEntry[] {
  const position = new Map<unknown, number>();
  ctx.ledger.entries.forEach((e, i) => position.has(e) || position.set(e, i));
  const at = (e: TaskEntry) => position.get(e) ?? -1;
  return [...entries].sort((x, y) => at(y) - at(x));
}

/** Stops (DELETE) the given running tasks, newest first, confirming each; `why` goes on each stopped VM. */
export async function stopTasks(ctx: RollbackContext, entries: TaskEntry[], why: string): Promise<void> {
  for (const entry of newestFirst(ctx, entries)) await stopOne(ctx, entry, why);
}

export async function rollback(ctx: RollbackContext, reason: string): Promise<void> {
  const { recorder, ledger } = ctx;
  const stops = newestFirst(ctx, ledger.running());
  const undos = [...ledger.entries].reverse().filter((e) => (e.kind === 'task' && e.op === 'plan-start' && e.status === 'succeeded') || (e.kind === 'exec' && e.succeeded && e.undo));
  // Announced up front, in the order they run: the progress view draws each as it happens.
  const planned: PlannedRollback[] = [
    ...stops.map((e) => ({ action: 'delete-task' as const, stepId: e.stepId, target: e.target, taskId: e.taskId })),
    ...undos.map((e) => (e.kind === 'exec' ? { action: 'exec-undo' as const, stepId: e.stepId, target: (e.undo ?? []).join(' ') } : { action: 'undo-plan' as const, stepId: e.stepId, target: e.kind === 'task' ? e.target : '' })),
  ];
  recorder.rollbackStart(reason, planned);
  for (const entry of stops) await stopOne(ctx, entry, 'stopped by rollback');
  for (const entry of undos) {
    if (entry.kind === 'task') await undoPlan(ctx, entry);
    else if (entry.kind === 'exec') await undoExec(ctx, entry);
  }
  listManual(ctx, { failedOver: true });
  recorder.rollbackEnd();
}

/**
 * What no tool can undo, for the operator: unknown outcomes always; completed CDP
 * failovers when the run is being rolled back (otherwise they are the intended result).
 */
export function listManual(ctx: Pick<RollbackContext, 'recorder' | 'ledger'>, options: { failedOver: boolean }): void {
  for (const e of ctx.ledger.entries) {
    if (options.failedOver && e.kind === 'task' && isFailover(e.op) && e.status === 'succeeded') {
      const what = e.op === 'cdp-failover' ? 'VM' : 'vApp';
      ctx.recorder.manual({
        stepId: e.stepId,
        target: e.target,
        reason: 'failed-over',
        instruction: `${what} "${e.target}" IS failed over and EM has no undo for CDP failover: undo or commit it in the Veeam Backup & Replication console (Replicas > Undo Failover)`,
      });
      ctx.recorder.rollbackAction({ action: 'manual', stepId: e.stepId, target: e.target, taskId: e.taskId, ok: false, message: 'failed over; EM cannot undo it: manual action listed' });
    } else if (e.kind === 'unknown') {
      ctx.recorder.manual({
        stepId: e.stepId,
        target: e.target,
        reason: 'unknown',
        instruction: `the failover request for "${e.target}" got no usable answer: check in the Veeam console whether it is failed over; it was NOT re-sent`,
      });
    }
  }
}

async function stopOne(ctx: RollbackContext, entry: TaskEntry, why: string): Promise<void> {
  const base = { action: 'delete-task' as const, stepId: entry.stepId, target: entry.target, taskId: entry.taskId };
  // Read it first: DELETE makes EM forget a task in any state (§5.2), so a task that
  // finished while nobody looked would take its result with it.
  const before = await readTask(ctx, entry);
  if (before.kind === 'unreachable') return unreachable(ctx, entry, before.why);
  if (before.kind === 'task' && before.task.state === 'Finished') {
    finishedFirst(ctx, entry, before.task);
    await deleteFinished(ctx, entry.taskId, entry.stepId);
    return;
  }
  try {
    // Resolves on 404 too: the read that follows tells gone from unreachable.
    await ctx.client.deleteTask(entry.taskId);
  } catch (error) {
    ctx.recorder.rollbackAction({ ...base, ok: false, message: `DELETE /tasks/${entry.taskId} failed: ${errorMessage(error)}` });
    ctx.recorder.manual({ stepId: entry.stepId, target: entry.target, reason: 'rollback-failed', instruction: `task ${entry.taskId} could not be stopped: stop it in the Veeam console and check "${entry.target}"` });
    return;
  }
  // Confirm: gone (404, in the session that owns it), or finished before the stop took effect.
  const attempts = ctx.confirmAttempts ?? 5;
  for (let i = 0; i < attempts; i++) {
    const after = await readTask(ctx, entry);
    if (after.kind === 'unreachable') return unreachable(ctx, entry, after.why);
    if (after.kind === 'gone') {
      entry.status = 'stopped';
      markVm(ctx, entry, 'stopped', why);
      ctx.recorder.rollbackAction({ ...base, ok: true, message: `stopped (DELETE /tasks/${entry.taskId}, confirmed gone)` });
      return;
    }
    if (after.kind === 'task' && after.task.state === 'Finished') {
      finishedFirst(ctx, entry, after.task);
      return;
    }
    await ctx.clock.sleep(ctx.pollIntervalMs);
  }
  ctx.recorder.rollbackAction({ ...base, ok: false, message: `DELETE sent but task ${entry.taskId} still reads Running` });
  ctx.recorder.manual({ stepId: entry.stepId, target: entry.target, reason: 'rollback-failed', instruction: `task ${entry.taskId} did not stop: check it in the Veeam console` });
}

const EARLIER_SESSION = 'it belongs to an earlier logon session (EM tasks belong to the session that started them, and answer 404 to any other)';

type Read = { kind: 'task'; task: Task } | { kind: 'gone' } | { kind: 'unreachable'; why: string } | { kind: 'error' };

/** GET /tasks/{id}, told apart: its state, gone (404 in its own session), unreachable (404 from another session), or a failed read. */
async function readTask(ctx: RollbackContext, entry: TaskEntry): Promise<Read> {
  try {
    return { kind: 'task', task: await ctx.client.getTask(entry.taskId) };
  } catch (error) {
    if (error instanceof EmHttpError && error.status === 404) {
      return fromEarlierSession(ctx.client, entry.sessionEpoch) ? { kind: 'unreachable', why: EARLIER_SESSION } : { kind: 'gone' };
    }
    ctx.recorder.event('warning', `reading task ${entry.taskId} to stop it: ${errorMessage(error)}`, entry.stepId);
    return { kind: 'error' };
  }
}

/**
 * EM no longer shows the task to us: neither "stopped" nor "finished" can be claimed. The
 * VM is `unknown`, the journal says so (task-lost), and the operator checks by hand.
 */
function unreachable(ctx: RollbackContext, entry: TaskEntry, why: string): void {
  const message = `task ${entry.taskId} is unreachable: ${why}; whether it stopped or finished is unknown`;
  entry.status = 'unknown';
  ctx.recorder.taskLost(entry.stepId, entry.target, entry.taskId, message);
  markVm(ctx, entry, 'unknown', message);
  ctx.recorder.rollbackAction({ action: 'delete-task', stepId: entry.stepId, target: entry.target, taskId: entry.taskId, ok: false, message });
  ctx.recorder.manual({
    stepId: entry.stepId,
    target: entry.target,
    reason: 'unknown',
    instruction: `task ${entry.taskId} for "${entry.target}" could not be stopped or read (${why}): check in the Veeam console whether "${entry.target}" is failed over, and stop it there if it still runs`,
  });
}

/**
 * The task finished before the stop took effect: its result is the truth. The journal gets
 * the task-result line (so status no longer lists the VM as in flight); a successful CDP
 * failover IS done, which EM cannot undo: a manual action says so.
 */
function finishedFirst(ctx: RollbackContext, entry: TaskEntry, task: Task): void {
  const ok = task.result?.success === true;
  const emMessage = task.result?.message;
  entry.status = ok ? 'succeeded' : 'failed';
  ctx.recorder.taskResult({ stepId: entry.stepId, target: entry.target, taskId: entry.taskId, success: ok, ...(emMessage !== undefined ? { message: emMessage } : {}) });
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
      instruction: `${what} "${entry.target}" IS failed over (its task finished before it could be stopped) and EM has no undo for CDP failover: undo or commit it in the Veeam Backup & Replication console (Replicas > Undo Failover)`,
    });
  }
}

function markVm(ctx: RollbackContext, entry: TaskEntry, state: 'stopped' | 'done' | 'failed' | 'unknown', message: string): void {
  if (isFailover(entry.op)) ctx.recorder.vmState(entry.stepId, entry.target, state, { message });
}

async function undoPlan(ctx: RollbackContext, entry: TaskEntry): Promise<void> {
  const base = { action: 'undo-plan' as const, stepId: entry.stepId, target: entry.target };
  const poller = new TaskPoller({ client: ctx.client, clock: ctx.clock, intervalMs: ctx.pollIntervalMs, retry: RETRY });
  try {
    const task = await ctx.client.undoFailoverPlan(entry.targetId, { subject: `failover plan "${entry.target}"` });
    const done = task.state === 'Finished' ? task : await poller.watch(task.taskId);
    await deleteFinished(ctx, task.taskId, entry.stepId);
    const ok = done.result?.success === true;
    ctx.recorder.rollbackAction({ ...base, taskId: task.taskId, ok, message: ok ? 'plan undone' : `undo failed: ${done.result?.message ?? 'no message'}` });
    if (!ok) ctx.recorder.manual({ stepId: entry.stepId, target: entry.target, reason: 'rollback-failed', instruction: `undo of failover plan "${entry.target}" failed: undo it in the Veeam console` });
  } catch (error) {
    ctx.recorder.rollbackAction({ ...base, ok: false, message: `undo failed: ${errorMessage(error)}` });
    ctx.recorder.manual({ stepId: entry.stepId, target: entry.target, reason: 'rollback-failed', instruction: `undo of failover plan "${entry.target}" failed: undo it in the Veeam console` });
  }
}

async function undoExec(ctx: RollbackContext, entry: ExecEntry): Promise<void> {
  const undo = entry.undo ?? [];
  const target = undo.join(' ');
  if (entry.undoRehearsed) {
    ctx.recorder.rollbackAction({ action: 'exec-undo', stepId: entry.stepId, target, ok: true, message: `rehearsed, not run: ${target}` });
    return;
  }
  const timer = new AbortController();
  const timeout = new AbortController();
  ctx.clock.sleep(entry.timeoutMs, timer.signal).then(
    () => timeout.abort(),
    () => undefined, // the undo ended first
  );
  try {
    const result = await ctx.exec.run({ command: undo, shell: entry.shell, env: { ...ctx.env, ...ctx.runEnv?.(entry.stepId), ...entry.env }, cwd: entry.cwd, signal: timeout.signal });
    ctx.recorder.exec(entry.stepId, undo, result.exitCode, true);
    const ok = result.exitCode === 0 && !result.error;
    ctx.recorder.rollbackAction({ action: 'exec-undo', stepId: entry.stepId, target, ok, message: ok ? 'undo command succeeded' : `undo command failed: ${result.error ?? `exit ${result.exitCode}`}` });
    if (!ok) ctx.recorder.manual({ stepId: entry.stepId, target, reason: 'rollback-failed', instruction: `the undo command of step "${entry.stepId}" failed: run it by hand` });
  } finally {
    timer.abort();
  }
}
