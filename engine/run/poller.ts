// The shared task poller: ONE `GET /tasks` per tick covers every in-flight task of the
// logon session (API spec §5.2: /tasks lists this session's tasks), instead of one request
// per task. `GET /tasks/{id}` only for a task missing from the list.
//
// Schedule: a task is first polled one interval after it was submitted, and ticks are at
// least one interval apart. Because every watched task is read on every tick, ticks align
// by themselves: after a tick, every watcher is due exactly one interval later. A new task
// can never make the next tick earlier (its first due time is now + interval, which is
// never before the earliest existing due time), so the sleeping loop needs no wake-up.
//
// The poll is also what keeps the logon session alive while tasks are in flight (EM expires
// a session idle for 15 min, and with it every task it started, §2.2 and §5). A poll that
// hangs would let that happen unseen: each GET /tasks has a deadline on the run's clock
// (`stallMs`), after which it is abandoned, reported, and counted as a failed poll.

import type { EmClient, Task } from '../api/types.js';
import type { Clock } from '../clock.js';
import { EmHttpError, errorMessage, RunbookError } from '../errors.js';
import type { RetryPolicy } from '../playbook/types.js';
import { fromEarlierSession } from './session-epoch.js';

export interface PollerOptions {
  client: EmClient;
  clock: Clock;
  intervalMs: number;
  /** Run-level signal: aborting it rejects every watcher with its reason. */
  signal?: AbortSignal;
  /** Consecutive failed polls tolerated (the policy's attempts) and the backoff between them. */
  retry: RetryPolicy;
  onRetry?: (message: string) => void;
  /** A GET /tasks unanswered this long is abandoned (well under EM's 15-min session idle expiry). @default 300000 */
  stallMs?: number;
  /** Said when a poll is abandoned: the session may idle out meanwhile. */
  onStall?: (message: string) => void;
}

/** Default deadline of one poll: half the client's 10-min idle renewal, a third of EM's expiry. */
export const POLL_STALL_MS = 5 * 60_000;

interface Watcher {
  taskId: string;
  dueAt: number;
  /** Session epoch the task was created under (undefined: not known). */
  epoch: number | undefined;
  signal: AbortSignal | undefined;
  resolve: (task: Task) => void;
  reject: (error: unknown) => void;
}

/** The task vanished (deleted by someone else, or the session ended). */
export class TaskGoneError extends RunbookError {
  override name = 'TaskGoneError';
}

/** A GET /tasks that got no answer within the poll's deadline. */
export class PollStalledError extends RunbookError {
  override name = 'PollStalledError';
}

export class TaskPoller {
  private readonly watchers = new Map<string, Watcher>();
  /** One abort listener per step signal, not one per task (a 50-VM fan-out shares one). */
  private readonly bySignal = new Map<AbortSignal, { watchers: Set<Watcher>; onAbort: () => void }>();
  private running = false;
  private lastTick = Number.NEGATIVE_INFINITY;
  private failures = 0;
  /** Polls sent, for tests and benchmarks. */
  ticks = 0;

  constructor(private readonly o: PollerOptions) {}

  /** Resolves with the task once its State is Finished (completion keys on State only, §5.1). */
  watch(taskId: string, signal?: AbortSignal, epoch?: number): Promise<Task> {
    return new Promise<Task>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const w: Watcher = { taskId, dueAt: this.o.clock.now() + this.o.intervalMs, epoch, signal, resolve, reject };
      this.watchers.set(taskId, w);
      if (signal) this.listen(signal, w);
      if (!this.running) void this.loop();
    });
  }

  private listen(signal: AbortSignal, w: Watcher): void {
    let group = this.bySignal.get(signal);
    if (!group) {
      const watchers = new Set<Watcher>();
      const onAbort = () => {
        for (const x of [...watchers]) this.settle(x, () => x.reject(signal.reason));
      };
      group = { watchers, onAbort };
      this.bySignal.set(signal, group);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    group.watchers.add(w);
  }

  private unlisten(w: Watcher): void {
    if (!w.signal) return;
    const group = this.bySignal.get(w.signal);
    if (!group) return;
    group.watchers.delete(w);
    if (group.watchers.size > 0) return;
    w.signal.removeEventListener('abort', group.onAbort);
    this.bySignal.delete(w.signal);
  }

  get watching(): number {
    return this.watchers.size;
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.watchers.size > 0) {
        const earliest = Math.min(...[...this.watchers.values()].map((w) => w.dueAt));
        const at = Math.max(this.lastTick + this.o.intervalMs, earliest);
        const wait = at - this.o.clock.now();
        if (wait > 0) await this.o.clock.sleep(wait, this.o.signal);
        if (this.watchers.size === 0) break;
        await this.tick();
      }
    } catch (error) {
      // Only the run-level abort ends the loop: every watcher learns why.
      for (const w of this.watchers.values()) this.settle(w, () => w.reject(error));
    } finally {
      this.running = false;
    }
  }

  private async tick(): Promise<void> {
    const tickAt = this.o.clock.now();
    this.lastTick = tickAt;
    let tasks: Task[];
    const stallMs = this.o.stallMs ?? POLL_STALL_MS;
    const deadline = new AbortController();
    const timer = new AbortController();
    this.o.clock.sleep(stallMs, timer.signal).then(
      () => deadline.abort(new PollStalledError(`GET /tasks got no answer in ${Math.round(stallMs / 1000)}s`)),
      () => undefined, // the poll answered first
    );
    try {
      this.ticks++;
      const signal = this.o.signal ? AbortSignal.any([this.o.signal, deadline.signal]) : deadline.signal;
      tasks = await this.o.client.listTasks({ signal });
      this.failures = 0;
    } catch (caught) {
      if (this.o.signal?.aborted) throw this.o.signal.reason;
      let error = caught;
      if (deadline.signal.aborted) {
        error = deadline.signal.reason;
        this.o.onStall?.(
          `${errorMessage(error)}: abandoned it. EM ends a logon session idle for 15 min, and with it every task the session started; tasks in flight: ${this.watchers.size}`,
        );
      }
      this.failures++;
      if (this.failures >= this.o.retry.attempts) {
        this.failures = 0;
        for (const w of this.watchers.values()) this.settle(w, () => w.reject(error));
        return;
      }
      const backoff = Math.min(this.o.retry.backoffMs * 2 ** (this.failures - 1), this.o.retry.maxBackoffMs);
      this.o.onRetry?.(`GET /tasks failed (${errorMessage(error)}); poll ${this.failures + 1} of ${this.o.retry.attempts} in ${Math.round(Math.max(backoff, this.o.intervalMs) / 1000)}s`);
      this.lastTick = tickAt - this.o.intervalMs + Math.max(backoff, this.o.intervalMs);
      return;
    } finally {
      timer.abort();
    }
    const byId = new Map(tasks.map((t) => [t.taskId, t]));
    for (const w of [...this.watchers.values()]) {
      let task = byId.get(w.taskId);
      if (!task) task = await this.readOne(w);
      if (!task) continue;
      if (task.state === 'Finished') this.settle(w, () => w.resolve(task));
      else w.dueAt = tickAt + this.o.intervalMs;
    }
  }

  /** A task missing from the list: read it alone; 404 means it is gone for good. */
  private async readOne(w: Watcher): Promise<Task | undefined> {
    try {
      return await this.o.client.getTask(w.taskId, this.o.signal ? { signal: this.o.signal } : {});
    } catch (error) {
      if (this.o.signal?.aborted) throw this.o.signal.reason;
      if (error instanceof EmHttpError && error.status === 404) {
        const why = fromEarlierSession(this.o.client, w.epoch)
          ? `task ${w.taskId} is unreachable: it belongs to an earlier logon session (EM tasks belong to the session that started them)`
          : `task ${w.taskId} is gone from Enterprise Manager (deleted, or its session ended)`;
        this.settle(w, () => w.reject(new TaskGoneError(why, { cause: error })));
      } else {
        // Not fatal: the next tick reads it again.
        w.dueAt = this.o.clock.now() + this.o.intervalMs;
      }
      return undefined;
    }
  }

  private settle(w: Watcher, fn: () => void): void {
    if (this.watchers.get(w.taskId) !== w) return;
    this.watchers.delete(w.taskId);
    this.unlisten(w);
    fn();
  }
}
