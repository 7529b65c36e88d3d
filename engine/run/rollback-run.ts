// `runbook rollback` for a run that died: for each task the journal shows in flight, ask
// EM about it with a new logon session; stop it if it still runs, record its result if it
// finished. EM tasks belong to the logon session that started them (API spec §2.2, §5.2),
// so a new session usually gets 404: then we say so plainly and name what to check by hand.
// Requests with no task id (no answer recorded) cannot be looked up at all. As in the run's
// own rollback (stop-task.ts), only a task read Running is DELETEd; one read
// OperationFinished (the backup server has finished: the VM is failed over, EM has not
// collected it) is awaited until Finished, and a read that keeps failing settles nothing.
// Every action is appended to the run's own journal, so `status` shows it afterwards.

import type { EmClient, Task } from '../api/types.js';
import { EmHttpError, errorMessage } from '../errors.js';
import type { Journal } from '../state/journal.js';
import type { RollbackAction } from '../state/report-types.js';
import { describeSession, findRestoreSession } from './restore-lookup.js';
import { SETTLE_MS } from './stop-task.js';
import type { Unresolved } from '../state/run-status.js';

export interface RollbackRunOptions {
  client: EmClient;
  journal: Pick<Journal, 'append'>;
  now: () => string;
  /** Re-reads of a stopped task before giving up on confirming the stop. @default 3 */
  confirmAttempts?: number;
  /** Waits between confirmations (injected clock). */
  sleep: (ms: number) => Promise<void>;
  pollIntervalMs?: number;
  /** How long a task read OperationFinished is awaited until Finished. @default SETTLE_MS (15 min) */
  settleMs?: number;
}

const READ_ATTEMPTS = 3;

/** GET /tasks/{id}, retried with backoff while it fails (not on an HTTP answer such as 404). */
async function readTask(o: RollbackRunOptions, taskId: string, subject: string): Promise<Task> {
  for (let i = 1; ; i++) {
    try {
      return await o.client.getTask(taskId, { subject });
    } catch (error) {
      if ((error instanceof EmHttpError && error.status === 404) || i >= READ_ATTEMPTS) throw error;
      await o.sleep(1000 * 2 ** (i - 1));
    }
  }
}

/** Polls a task read OperationFinished until it reads Finished; undefined when the budget ran out first. */
async function awaitCollected(o: RollbackRunOptions, taskId: string, subject: string): Promise<Task | undefined> {
  const interval = o.pollIntervalMs ?? 5000;
  for (let waited = 0; waited < (o.settleMs ?? SETTLE_MS); waited += interval) {
    await o.sleep(interval);
    try {
      const task = await readTask(o, taskId, subject);
      if (task.state === 'Finished') return task;
    } catch {
      // Not read this time: the next poll tries again, until the budget runs out.
    }
  }
  return undefined;
}

export interface RollbackOutcome {
  item: Unresolved;
  /** resolved: we now know where it stands; open: still to check by hand. */
  resolved: boolean;
  message: string;
}

function where(u: Unresolved): string {
  const t = u.request;
  const thing = t.kind === 'plan' ? `failover plan "${t.target}"` : `VM "${t.target}"${t.replica ? ` (replica "${t.replica}")` : ''}`;
  return `${thing}${t.taskId ? `, task ${t.taskId}` : ''}`;
}

type RecordAction = (action: Omit<RollbackAction, 'at' | 'stepId' | 'target'>, resolved: boolean) => RollbackOutcome;

export async function rollbackUnresolved(items: Unresolved[], o: RollbackRunOptions): Promise<RollbackOutcome[]> {
  const outcomes: RollbackOutcome[] = [];
  // Newest first, like the engine's own rollback: later work may depend on earlier.
  for (const item of [...items].reverse()) outcomes.unshift(await handle(item, o));
  return outcomes;
}

async function handle(item: Unresolved, o: RollbackRunOptions): Promise<RollbackOutcome> {
  const t = item.request;
  const record: RecordAction = (action, resolved) => {
    o.journal.append({ at: o.now(), type: 'rollback', stepId: t.stepId, target: t.target, ...action });
    return { item, resolved, message: action.message };
  };

  if (!t.taskId) {
    const known = await fromRestoreSession(item, o, record);
    if (known) return known;
    return record(
      {
        action: 'manual',
        ok: false,
        message:
          `no task id was recorded (the request got no answer), so EM cannot be asked about it: ` +
          `check ${where(item)} by hand in Enterprise Manager`,
      },
      false,
    );
  }
  const taskId = t.taskId;
  let task: Task;
  try {
    task = await readTask(o, taskId, where(item));
  } catch (error) {
    return unreadable(item, taskId, error, o, record);
  }
  if (task.state === 'OperationFinished') return collected(item, taskId, o, record);
  if (task.state !== 'Running') return finished(item, task, o, record);
  return stopRunning(item, taskId, o, record);
}

/** The task could not be read: a 404 means this session cannot see it, so the restore session may tell. */
async function unreadable(
  item: Unresolved,
  taskId: string,
  error: unknown,
  o: RollbackRunOptions,
  record: RecordAction,
): Promise<RollbackOutcome> {
  if (error instanceof EmHttpError && error.status === 404) {
    const known = await fromRestoreSession(item, o, record);
    if (known) return known;
    return record(
      {
        action: 'manual',
        taskId,
        ok: false,
        message:
          `task ${taskId} cannot be seen by a new session (EM tasks belong to the logon session that ` +
          `started them, which died with the run); ` +
          `check by hand in Enterprise Manager: ${where(item)}`,
      },
      false,
    );
  }
  return record(
    {
      action: 'delete-task',
      taskId,
      ok: false,
      message:
        `could not read task ${taskId} (${errorMessage(error)}), so it was not stopped: ` +
        `whether ${where(item)} is failed over is unknown; check by hand`,
    },
    false,
  );
}

/** DELETE a running task, then read it again until it is gone or has finished. */
async function stopRunning(item: Unresolved, taskId: string, o: RollbackRunOptions, record: RecordAction): Promise<RollbackOutcome> {
  try {
    await o.client.deleteTask(taskId, { subject: where(item) });
  } catch (error) {
    return record({ action: 'delete-task', taskId, ok: false, message: `DELETE /tasks/${taskId} failed: ${errorMessage(error)}` }, false);
  }
  for (let i = 0; i < (o.confirmAttempts ?? 3); i++) {
    try {
      const after = await readTask(o, taskId, where(item));
      if (after.state === 'OperationFinished') return collected(item, taskId, o, record);
      if (after.state !== 'Running') return finished(item, after, o, record);
    } catch (error) {
      if (error instanceof EmHttpError && error.status === 404) {
        return record({ action: 'delete-task', taskId, ok: true, message: `stopped (DELETE /tasks/${taskId}, confirmed gone)` }, true);
      }
      return record(
        { action: 'delete-task', taskId, ok: false, message: `stop sent, but confirming it failed: ${errorMessage(error)}` },
        false,
      );
    }
    await o.sleep(o.pollIntervalMs ?? 5000);
  }
  return record(
    {
      action: 'delete-task',
      taskId,
      ok: false,
      message: `DELETE sent but task ${taskId} still reads Running: check ${where(item)} by hand`,
    },
    false,
  );
}

/**
 * A task this session cannot see, or a request with no answer: the VM's restore session
 * may still tell how its failover ended (§6.4). Never a second POST to find out.
 */
async function fromRestoreSession(item: Unresolved, o: RollbackRunOptions, record: RecordAction): Promise<RollbackOutcome | undefined> {
  const t = item.request;
  if (t.kind !== 'vm') return undefined;
  const found = await findRestoreSession(o.client, t.target, Date.parse(t.requestedAt));
  if (!found) return undefined;
  const taskId = t.taskId ? { taskId: t.taskId } : {};
  if (found.outcome === 'running') {
    const unseen = t.taskId
      ? `task ${t.taskId} cannot be seen by a new session (EM tasks belong to the logon session that started them); `
      : '';
    return record(
      {
        action: 'manual',
        ...taskId,
        ok: false,
        message:
          `${unseen}${describeSession(found)}: the failover of ${where(item)} still runs on the backup ` +
          `server and cannot be stopped from here: stop it in the VBR console, or run rollback again later`,
      },
      false,
    );
  }
  const s = found.session;
  o.journal.append({
    at: o.now(),
    type: 'task-result',
    stepId: t.stepId,
    target: t.target,
    taskId: t.taskId ?? '',
    success: found.outcome === 'failed-over',
    message: describeSession(found),
    restoreSession: { id: s.id, state: s.state, ...(s.result !== undefined ? { result: s.result } : {}) },
  });
  const what =
    found.outcome === 'failed-over'
      ? 'the VM IS failed over (EM cannot undo a CDP VM failover; undo it in the Veeam console if not wanted)'
      : 'not failed over';
  return record({ action: 'manual', ...taskId, ok: true, message: `${describeSession(found)}: ${what}` }, true);
}

/** A task read OperationFinished: never deleted (that would only make EM forget it); awaited until Finished. */
async function collected(item: Unresolved, taskId: string, o: RollbackRunOptions, record: RecordAction): Promise<RollbackOutcome> {
  const done = await awaitCollected(o, taskId, where(item));
  if (done) return finished(item, done, o, record);
  return record(
    {
      action: 'manual',
      taskId,
      ok: false,
      message:
        `task ${taskId} read OperationFinished (the backup server had finished; ` +
        `EM had not collected the result) and was not seen Finished: ` +
        `check ${where(item)} in the VBR console; EM had reported the failover finished on the backup server; it was NOT stopped`,
    },
    false,
  );
}

/** The task finished (before or despite the stop): record its real result. */
function finished(item: Unresolved, task: Task, o: RollbackRunOptions, record: RecordAction): RollbackOutcome {
  const t = item.request;
  const success = task.result?.success === true;
  o.journal.append({
    at: o.now(),
    type: 'task-result',
    stepId: t.stepId,
    target: t.target,
    taskId: task.taskId,
    success,
    ...(task.result?.message !== undefined ? { message: task.result.message } : {}),
  });
  const what = t.kind === 'plan' ? 'the plan ran' : 'the VM IS failed over';
  return record(
    {
      action: 'manual',
      taskId: task.taskId,
      ok: true,
      message: success
        ? `task ${task.taskId} had already finished successfully: ` +
          `${what} (EM cannot undo a CDP VM failover; undo it in the Veeam console if not wanted)`
        : `task ${task.taskId} had finished with failure: ${task.result?.message ?? 'no message'}; not failed over`,
    },
    true,
  );
}
