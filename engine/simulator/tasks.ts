// EM tasks (API spec §5): owned by a logon session, Running → [OperationFinished] →
// Finished on the injected clock. State is computed when observed: `settle(now)` applies
// every operation whose end has come, in end-time order, so "first to finish wins"
// (a second failover of a VM finds it already failed over). Ids `task-<n>` come from a
// process-wide counter (§5.1 [rec]).

export type Operation = 'StartFailover' | 'StartReplicaFailover' | 'StartFailoverPlan' | 'UndoFailoverPlan';

export interface Outcome {
  success: boolean;
  message: string;
  /** RestoreSession id for the Related link. */
  restoreSessionId?: string;
}

export interface TaskM {
  seq: number;
  id: string;
  sessionId: string;
  sessionLabel: string;
  operation: Operation;
  subject: string;
  startedAt: number;
  /** When the operation itself ends (Infinity: never). */
  doneAt: number;
  /** When EM has collected the result (doneAt + OperationFinished phase). */
  finishedAt: number;
  /** Applied at `doneAt`: changes the model and says how it went. */
  effect: (at: number) => Outcome;
  outcome?: Outcome;
  /** Deleted by its session (or the session ended): hidden from every GET. */
  deleted: boolean;
  /** Deleted while Running: the operation was stopped and never takes effect. */
  stopped: boolean;
  /** Called when it is stopped (its restore session ends then). */
  onStop?: (at: number) => void;
}

let nextTaskNumber = 1;

export type TaskState = 'Running' | 'OperationFinished' | 'Finished';

export function stateOf(task: TaskM, now: number): TaskState {
  if (!task.outcome) return 'Running';
  return now < task.finishedAt ? 'OperationFinished' : 'Finished';
}

export class Tasks {
  readonly all: TaskM[] = [];
  /** By id: a 10,000-VM rehearsal looks tasks up ~30,000 times. */
  private readonly byId = new Map<string, TaskM>();
  private pending: TaskM[] = [];
  private seq = 0;

  create(spec: Omit<TaskM, 'seq' | 'id' | 'deleted' | 'stopped'>): TaskM {
    // Added to the caller's fresh object, not spread into a copy: on Node 20 a literal that
    // starts with a spread and adds fields gets a new hidden class per object.
    const task: TaskM = Object.assign(spec, { seq: this.seq++, id: `task-${nextTaskNumber++}`, deleted: false, stopped: false });
    this.all.push(task);
    this.byId.set(task.id, task);
    if (Number.isFinite(task.doneAt)) this.pending.push(task);
    return task;
  }

  /** Applies every due operation, earliest end first. */
  settle(now: number): void {
    if (this.pending.length === 0) return;
    const due = this.pending.filter((t) => t.doneAt <= now);
    if (due.length === 0) return;
    this.pending = this.pending.filter((t) => t.doneAt > now);
    due.sort((a, b) => a.doneAt - b.doneAt || a.seq - b.seq);
    for (const task of due) if (!task.stopped) task.outcome = task.effect(task.doneAt);
  }

  /** The caller's task, or undefined (another session's task is invisible, §11 #4). */
  find(id: string, sessionId: string): TaskM | undefined {
    const task = this.byId.get(id);
    return task && task.sessionId === sessionId && !task.deleted ? task : undefined;
  }

  ofSession(sessionId: string): TaskM[] {
    return this.all.filter((t) => t.sessionId === sessionId && !t.deleted);
  }

  /** DELETE /tasks/{id}: a Running task is stopped (no effect ever); any task is forgotten. */
  delete(task: TaskM, now: number): void {
    if (!task.outcome) {
      task.stopped = true;
      task.onStop?.(now);
      this.pending = this.pending.filter((t) => t !== task);
    }
    task.deleted = true;
  }

  /** A session ended: its tasks disappear, but running operations go on (the server does not stop them). */
  dropSession(sessionId: string): void {
    for (const t of this.all) if (t.sessionId === sessionId) t.deleted = true;
  }
}
