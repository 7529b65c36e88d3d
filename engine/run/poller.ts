// The shared task poller: ONE `GET /tasks` per tick covers every in-flight task of the
// logon session (API spec §5.2: /tasks lists this session's tasks), instead of one request
// per task. `GET /tasks/{id}` only for a task missing from the list.
//
// Schedule: a task is first polled one interval after it was submitted, and ticks are at
// least one interval apart. Because every watched task is read on every tick, ticks align
// by themselves: after a tick, every watcher is due exactly one interval later. A new task
// can never make the next tick earlier (its first due time is now + interval, which is
// never before the earliest existing due time), so the sleeping loop needs no wake-up.

import type { EmClient, Task } from '../api/types.js';
import type { Clock } from '../clock.js';
import { EmHttpError, errorMessage, RunbookError } from '../errors.js';
import type { RetryPolicy } from '../playbook/types.js';

export interface PollerOptions {
  client: EmClient;
  clock: Clock;
  intervalMs: number;
  /** Run-level signal: aborting it rejects every watcher with its reason. */
  signal?: AbortSignal;
  /** Consecutive failed polls tolerated (the policy's attempts) and the backoff between them. */
  retry: RetryPolicy;
  onRetry?: (message: string) => void;
}

interface Watcher {
  taskId: string;
  dueAt: number;
  resolve: (task: Task) => void;
  reject: (error: unknown) => void;
  cleanup: () => void;
}

/** The task vanished (deleted by someone else, or the session ended). */
export class TaskGoneError extends RunbookError {
  override name = 'TaskGoneError';
}

export class TaskPoller {
  private readonly watchers = new Map<string, Watcher>();
  private running = false;
  private lastTick = Number.NEGATIVE_INFINITY;
  private failures = 0;
  /** Polls sent, for tests and benchmarks. */
  ticks = 0;

  constructor(private readonly o: PollerOptions) {}

  /** Resolves with the task once its State is Finished (completion keys on State only, §5.1). */
  watch(taskId: string, signal?: AbortSignal): Promise<Task> {
    return new Promise<Task>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        this.watchers.delete(taskId);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.watchers.set(taskId, {
        taskId,
        dueAt: this.o.clock.now() + this.o.intervalMs,
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      });
      if (!this.running) void this.loop();
    });
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
    try {
      this.ticks++;
      tasks = await this.o.client.listTasks(this.o.signal ? { signal: this.o.signal } : {});
      this.failures = 0;
    } catch (error) {
      if (this.o.signal?.aborted) throw this.o.signal.reason;
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
        this.settle(w, () => w.reject(new TaskGoneError(`task ${w.taskId} is gone from Enterprise Manager (deleted, or its session ended)`, { cause: error })));
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
    w.cleanup();
    fn();
  }
}
