// Rollback by task deletion. 1. (the caller has stopped launching work) 2. every task still
// in flight is read and, only if it reads Running, stopped with DELETE /tasks/{id}, newest
// first (stop-task.ts: what each read means); tasks that read OperationFinished are then
// awaited until Finished, within one budget for all; 3. completed plan starts are undone (?action=undo, task
// awaited) and exec steps run their undo, newest first; 4. completed CDP failovers, which
// EM cannot undo (§4), are listed for the operator. It runs to the end whatever fails,
// and records every failure. It never uses the run's (possibly aborted) signal.

import type { Task } from '../api/types.js';
import { errorMessage, OutcomeUnknownError } from '../errors.js';
import { deleteFinished } from './execute-task.js';
import { isFailover, type ExecEntry, type TaskEntry } from './ledger.js';
import { TaskPoller } from './poller.js';
import type { PlannedRollback } from '../state/events.js';
import { awaitFinished, SETTLE_MS, stopOne, type RollbackContext } from './stop-task.js';

const RETRY = { attempts: 3, backoffMs: 1000, maxBackoffMs: 10_000 };

/** Latest started first. Positions are looked up once: indexOf in the comparator was O(n² log n) over a 10,000-task rollback. */
function newestFirst(ctx: RollbackContext, entries: TaskEntry[]): TaskEntry[] {
  const position = new Map<unknown, number>();
  for (const [i, e] of ctx.ledger.entries.entries()) if (!position.has(e)) position.set(e, i);
  const at = (e: TaskEntry) => position.get(e) ?? -1;
  return [...entries].sort((x, y) => at(y) - at(x));
}

/**
 * Stops the given in-flight tasks, newest first: those read Running are DELETEd and
 * confirmed; those read OperationFinished are awaited afterwards (never deleted), so a
 * running one is not left running while a finished one is collected. `why` goes on each stopped VM.
 */
export async function stopTasks(ctx: RollbackContext, entries: TaskEntry[], why: string): Promise<void> {
  const settling: TaskEntry[] = [];
  for (const entry of newestFirst(ctx, entries)) if ((await stopOne(ctx, entry, why)) === 'settling') settling.push(entry);
  const deadline = ctx.clock.now() + (ctx.settleMs ?? SETTLE_MS);
  for (const entry of settling) await awaitFinished(ctx, entry, deadline);
}

export async function rollback(ctx: RollbackContext, reason: string): Promise<void> {
  const { recorder, ledger } = ctx;
  const stops = newestFirst(ctx, ledger.running());
  const undos = [...ledger.entries]
    .reverse()
    .filter(
      (e) => (e.kind === 'task' && e.op === 'plan-start' && e.status === 'succeeded') || (e.kind === 'exec' && e.succeeded && e.undo),
    );
  // Announced up front, in the order they run: the progress view draws each as it happens.
  const planned: PlannedRollback[] = [
    ...stops.map((e) => ({ action: 'delete-task' as const, stepId: e.stepId, target: e.target, taskId: e.taskId })),
    ...undos.map((e) =>
      e.kind === 'exec'
        ? { action: 'exec-undo' as const, stepId: e.stepId, target: (e.undo ?? []).join(' ') }
        : { action: 'undo-plan' as const, stepId: e.stepId, target: e.kind === 'task' ? e.target : '' },
    ),
  ];
  recorder.rollbackStart(reason, planned);
  await stopTasks(ctx, stops, 'stopped by rollback');
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
        instruction:
          `${what} "${e.target}" IS failed over and EM has no undo for CDP failover: ` +
          `undo or commit it in the Veeam Backup & Replication console (Replicas > Undo Failover)`,
      });
      ctx.recorder.rollbackAction({
        action: 'manual',
        stepId: e.stepId,
        target: e.target,
        taskId: e.taskId,
        ok: false,
        message: 'failed over; EM cannot undo it: manual action listed',
      });
    } else if (e.kind === 'unknown') {
      ctx.recorder.manual({
        stepId: e.stepId,
        target: e.target,
        reason: 'unknown',
        instruction:
          `the failover request for "${e.target}" got no usable answer: ` +
          `check in the Veeam console whether it is failed over; it was NOT re-sent`,
      });
    }
  }
}

async function undoPlan(ctx: RollbackContext, entry: TaskEntry): Promise<void> {
  const base = { action: 'undo-plan' as const, stepId: entry.stepId, target: entry.target };
  const poller = new TaskPoller({ client: ctx.client, clock: ctx.clock, intervalMs: ctx.pollIntervalMs, retry: RETRY });
  const failed = (message: string, taskId?: string) => {
    ctx.recorder.rollbackAction({ ...base, ...(taskId ? { taskId } : {}), ok: false, message });
    ctx.recorder.manual({
      stepId: entry.stepId,
      target: entry.target,
      reason: 'rollback-failed',
      instruction: `undo of failover plan "${entry.target}" failed: undo it in the Veeam console`,
    });
  };
  // EM may have undone the plan without our knowing (the undo's answer or its task was lost):
  // neither "undone" nor "failed" is true, and EM has no plan state to read.
  const unknown = (why: string, taskId?: string) => {
    ctx.recorder.rollbackAction({ ...base, ...(taskId ? { taskId } : {}), ok: false, message: `undo sent, outcome unknown: ${why}` });
    ctx.recorder.manual({
      stepId: entry.stepId,
      target: entry.target,
      reason: 'unknown',
      instruction:
        `the undo of failover plan "${entry.target}" was sent but its outcome is unknown (${why}): ` +
        'check in the Veeam Backup & Replication console whether the plan is still started, and undo it there if so',
    });
  };
  let task: Task;
  try {
    task = await ctx.client.undoFailoverPlan(entry.targetId, { subject: `failover plan "${entry.target}"` });
  } catch (error) {
    if (error instanceof OutcomeUnknownError) unknown(errorMessage(error));
    else failed(`undo failed: ${errorMessage(error)}`);
    return;
  }
  let done: Task;
  try {
    done = task.state === 'Finished' ? task : await poller.watch(task.taskId);
  } catch (error) {
    unknown(errorMessage(error), task.taskId);
    return;
  }
  await deleteFinished(ctx, task.taskId, entry.stepId);
  const ok = done.result?.success === true;
  if (ok) ctx.recorder.rollbackAction({ ...base, taskId: task.taskId, ok, message: 'plan undone' });
  else failed(`undo failed: ${done.result?.message ?? 'no message'}`, task.taskId);
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
    const result = await ctx.exec.run({
      command: undo,
      shell: entry.shell,
      env: { ...ctx.env, ...ctx.runEnv?.(entry.stepId), ...entry.env },
      cwd: entry.cwd,
      signal: timeout.signal,
    });
    ctx.recorder.exec(entry.stepId, undo, result.exitCode, true);
    const ok = result.exitCode === 0 && !result.error;
    ctx.recorder.rollbackAction({
      action: 'exec-undo',
      stepId: entry.stepId,
      target,
      ok,
      message: ok ? 'undo command succeeded' : `undo command failed: ${result.error ?? `exit ${result.exitCode}`}`,
    });
    if (!ok)
      ctx.recorder.manual({
        stepId: entry.stepId,
        target,
        reason: 'rollback-failed',
        instruction: `the undo command of step "${entry.stepId}" failed: run it by hand`,
      });
  } finally {
    timer.abort();
  }
}
