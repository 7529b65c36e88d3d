// One mutating request and its task, start to end: journal the intent, send it ONCE,
// await the task through the shared poller, read the result, delete the finished task
// (task hygiene, §9), then follow the restore session it links to (§6.4).

import type { ApiCall, RestoreSession, Task } from '../api/types.js';
import { errorMessage, OutcomeUnknownError } from '../errors.js';
import type { RetryPolicy } from '../playbook/types.js';
import { withRetry, type ExecContext } from './context.js';
import type { LiveVmState } from '../state/events.js';
import { vmMessages } from '../state/fold-index.js';
import { isFailover, type TaskEntry, type TaskOp } from './ledger.js';
import { describeSession, findRestoreSession, outcomeOf, taskOfSession } from './restore-lookup.js';
import { TaskGoneError } from './poller.js';
import { ownerEpoch } from './session-epoch.js';

export interface TaskJob {
  stepId: string;
  op: TaskOp;
  /** VM, vApp or plan name; `subject` for errors. */
  target: string;
  targetId: string;
  /** The plan's call, sent exactly as planned and journaled (the plan is the request). */
  call: ApiCall;
  /** For the journal: where to look by hand if the process dies after sending. */
  replica?: string;
  restorePoint?: string;
  /** Names the target in errors, e.g. `VM "db01"`. */
  subject: string;
  retry: RetryPolicy;
  onState: (state: LiveVmState, detail?: { message?: string; taskId?: string }) => void;
}

export type JobOutcome = 'done' | 'failed' | 'unknown' | 'cancelled' | 'not-started';

export interface JobResult {
  outcome: JobOutcome;
  message?: string;
  entry?: TaskEntry;
}

export async function runTaskJob(ctx: ExecContext, job: TaskJob, signal: AbortSignal): Promise<JobResult> {
  if (signal.aborted) return { outcome: 'not-started' };
  const notDurable = await journalIntent(ctx, job);
  if (notDurable) return notDurable;

  const postedAt = ctx.clock.now();
  const task = await sendOnce(ctx, job, postedAt, signal);
  if ('outcome' in task) return task;

  // The session that answered the POST owns the task (§5): a later 404 is judged against it.
  const epoch = ownerEpoch(ctx.client, task);
  const entry = ctx.ledger.add<TaskEntry>({
    kind: 'task',
    op: job.op,
    stepId: job.stepId,
    target: job.target,
    targetId: job.targetId,
    taskId: task.taskId,
    status: 'running',
    sessionEpoch: epoch,
    postedAt,
  });
  ctx.recorder.requestAccepted(job.stepId, job.target, task.taskId);
  job.onState('running', { taskId: task.taskId });

  const finished = task.state === 'Finished' ? task : await awaitTask(ctx, job, entry, postedAt, epoch, signal);
  if ('outcome' in finished) return finished;
  return settleFinished(ctx, job, finished, entry, signal);
}

/** Journals the intent and makes it durable before anything is sent; a result only when it could not. */
async function journalIntent(ctx: ExecContext, job: TaskJob): Promise<JobResult | undefined> {
  const { recorder } = ctx;
  const where: { replica?: string; restorePoint?: string; body?: ApiCall['body'] } = {};
  if (job.replica !== undefined) where.replica = job.replica;
  if (job.restorePoint !== undefined) where.restorePoint = job.restorePoint;
  if (job.call.body !== undefined) where.body = job.call.body;
  recorder.requestIntent(job.stepId, job.target, job.targetId, job.call.method, job.call.path, where);
  job.onState('requested');
  try {
    // The intent is on disk before the request leaves (one fsync for a whole burst).
    await recorder.durable();
    return undefined;
  } catch (error) {
    const message = `not sent: the journal could not be made durable (${errorMessage(error)})`;
    recorder.requestFailed(job.stepId, job.target, false, message);
    job.onState('failed', { message });
    return { outcome: 'failed', message };
  }
}

/**
 * Sends the plan's call exactly once: the task EM answered, or the job's result when it did
 * not. The request itself is not given the step signal: aborting a sent failover mid-flight
 * would only turn a known task id into an unknown outcome.
 */
async function sendOnce(ctx: ExecContext, job: TaskJob, postedAt: number, signal: AbortSignal): Promise<Task | JobResult> {
  try {
    // Never retried here; the client re-sends only when EM demonstrably did not process it.
    return await ctx.client.send(job.call, { subject: job.subject });
  } catch (error) {
    const message = errorMessage(error);
    if (error instanceof OutcomeUnknownError) {
      ctx.recorder.requestFailed(job.stepId, job.target, true, message);
      const lost = `the failover request got no usable answer (${message}); not re-sent`;
      const found = await fromRestoreSession(ctx, job, postedAt, signal, lost);
      if (found) return found;
      ctx.ledger.add({ kind: 'unknown', op: job.op, stepId: job.stepId, target: job.target, targetId: job.targetId, error: message });
      job.onState('unknown', { message: vmMessages.unknownSend(message) });
      return { outcome: 'unknown', message };
    }
    ctx.recorder.requestFailed(job.stepId, job.target, false, message);
    job.onState('failed', { message });
    return { outcome: 'failed', message };
  }
}

/** Waits for the task through the shared poller: the finished task, or the job's result when it was lost. */
async function awaitTask(
  ctx: ExecContext,
  job: TaskJob,
  entry: TaskEntry,
  postedAt: number,
  epoch: number,
  signal: AbortSignal,
): Promise<Task | JobResult> {
  try {
    return await ctx.poller.watch(entry.taskId, signal, epoch);
  } catch (error) {
    if (signal.aborted) return { outcome: 'cancelled', entry };
    if (error instanceof TaskGoneError) {
      const found = await fromRestoreSession(ctx, job, postedAt, signal, errorMessage(error), entry);
      if (found) return found;
      entry.status = 'unknown';
      const message = `${errorMessage(error)}: whether the failover happened is unknown`;
      ctx.ledger.add({ kind: 'unknown', op: job.op, stepId: job.stepId, target: job.target, targetId: job.targetId, error: message });
      ctx.recorder.taskLost(job.stepId, job.target, entry.taskId, message);
      job.onState('unknown', { message });
      return { outcome: 'unknown', message, entry };
    }
    // Lost track (polls kept failing): the task may still run; rollback can stop it.
    const message = `lost track of task ${entry.taskId}: ${errorMessage(error)}`;
    entry.lostTrack = message;
    job.onState('running', { message });
    return { outcome: 'failed', message, entry };
  }
}

/** The finished task's result, with the restore session it links to, journaled and judged. */
async function settleFinished(ctx: ExecContext, job: TaskJob, finished: Task, entry: TaskEntry, signal: AbortSignal): Promise<JobResult> {
  const taskId = entry.taskId;
  job.onState('finishing', { taskId });
  const success = finished.result?.success === true;
  const emMessage = finished.result?.message;
  entry.status = success ? 'succeeded' : 'failed';
  // The delete and the restore-session read are independent (the session's href is already
  // known, and neither throws): side by side they cost one round trip before the VM's slot
  // is free instead of two (bench, 10,000 VMs: ~50 slot cycles each).
  const href = success ? finished.restoreSessionHref : undefined;
  const [, session] = await Promise.all([
    deleteFinished(ctx, taskId, job.stepId),
    href ? followSession(ctx, job, href, signal) : Promise.resolve(undefined),
  ]);
  const sessionFailed = session?.result === 'Failed';
  ctx.recorder.taskResult({
    stepId: job.stepId,
    target: job.target,
    taskId,
    success: success && !sessionFailed,
    ...(emMessage !== undefined ? { message: emMessage } : {}),
    ...(session ? { restoreSession: sessionRef(session) } : {}),
  });
  if (!success) {
    const message = vmMessages.emFailure(emMessage);
    job.onState('failed', { message });
    return { outcome: 'failed', message, entry };
  }
  if (sessionFailed) {
    const message = vmMessages.sessionFailed(session?.name ?? session?.id ?? '');
    job.onState('failed', { message });
    return { outcome: 'failed', message, entry };
  }
  const note = session?.result === 'Warning' ? vmMessages.sessionWarning : emMessage;
  job.onState('done', note !== undefined ? { message: note } : {});
  return { outcome: 'done', ...(note !== undefined ? { message: note } : {}), entry };
}

/** What the journal keeps of a restore session. */
function sessionRef(s: RestoreSession): { id: string; state: string; result?: string } {
  return { id: s.id, state: s.state, ...(s.result !== undefined ? { result: s.result } : {}) };
}

/**
 * The task is lost (or the POST's answer never came): the VM's restore session may still
 * tell (restore-lookup.ts). Followed to its end if it still runs; undefined when nothing
 * conclusive was found (the caller reports `unknown`).
 */
async function fromRestoreSession(
  ctx: ExecContext,
  job: TaskJob,
  postedAt: number,
  signal: AbortSignal,
  lost: string,
  entry?: TaskEntry,
): Promise<JobResult | undefined> {
  if (!isFailover(job.op)) return undefined;
  let found = await findRestoreSession(ctx.client, job.target, postedAt, signal);
  if (found?.outcome === 'running') {
    const last = await followSession(ctx, job, found.href, signal);
    if (last) found = { ...found, session: last, outcome: outcomeOf(last) };
  }
  if (!found || found.outcome === 'running') return undefined;
  const ok = found.outcome === 'failed-over';
  const message = `${lost}; ${describeSession(found)}`;
  // The POST's answer was lost: its task, if this session lists it, is read and deleted as usual.
  const adopted = entry ? undefined : await taskOfSession(ctx.client, found.href, signal);
  if (adopted) await deleteFinished(ctx, adopted.taskId, job.stepId);
  const taskId = entry?.taskId ?? adopted?.taskId ?? '';
  if (entry) entry.status = ok ? 'succeeded' : 'failed';
  // A failover EM did is rolled back (listed) like any other: the ledger must know it.
  else {
    const status = ok ? 'succeeded' : 'failed';
    ctx.ledger.add<TaskEntry>({
      kind: 'task',
      op: job.op,
      stepId: job.stepId,
      target: job.target,
      targetId: job.targetId,
      taskId,
      status,
      postedAt,
    });
  }
  const restoreSession = sessionRef(found.session);
  ctx.recorder.taskResult({ stepId: job.stepId, target: job.target, taskId, success: ok, message, restoreSession });
  job.onState(ok ? 'done' : 'failed', { message });
  return { outcome: ok ? 'done' : 'failed', message, ...(entry ? { entry } : {}) };
}

/** DELETE a finished task whose result is read (run and rollback); never throws. */
export async function deleteFinished(ctx: Pick<ExecContext, 'client' | 'recorder'>, taskId: string, stepId: string): Promise<void> {
  try {
    await ctx.client.deleteTask(taskId);
  } catch (error) {
    // Hygiene only: the result is already read; a leftover task is harmless but worth saying.
    ctx.recorder.event('warning', `could not delete finished task ${taskId}: ${errorMessage(error)}`, stepId);
  }
}

function sessionFinal(s: RestoreSession): boolean {
  return s.state === 'Stopped' || s.result === 'Success' || s.result === 'Warning' || s.result === 'Failed';
}

/** Polls the linked restore session until it is final; an abort leaves it unawaited (the task already succeeded). */
async function followSession(ctx: ExecContext, job: TaskJob, href: string, signal: AbortSignal): Promise<RestoreSession | undefined> {
  let last: RestoreSession | undefined;
  try {
    for (;;) {
      last = await withRetry(ctx, job.retry, `GET restore session of ${job.target}`, signal, job.stepId, () =>
        ctx.client.getRestoreSession(href, { signal, subject: job.target }),
      );
      if (sessionFinal(last)) return last;
      await ctx.clock.sleep(ctx.plan.pollIntervalMs, signal);
    }
  } catch (error) {
    const why = `restore session of ${job.target} not followed to the end: ${errorMessage(error)}`;
    if (!signal.aborted) ctx.recorder.event('warning', why, job.stepId);
    return last;
  }
}
