// The shared task poller: ONE `GET /tasks` per tick covers every in-flight task of the
// logon session (API spec §5.2: /tasks lists this session's tasks), instead of one request
// per task. `GET /tasks/{id}` only for a task missing from the list.
//
// When to poll: the regular cadence, plus early polls for tasks expected to finish
// (poll-schedule.ts). Each tick is still ONE GET /tasks, whatever the tasks in flight.
//
// The poll is also what keeps the logon session alive while tasks are in flight (EM expires
// a session idle for 15 min, and with it every task it started, §2.2 and §5). A poll that
// hangs would let that happen unseen: each GET /tasks has a deadline on the run's clock
// (`stallMs`), after which it is abandoned, reported, and counted as a failed poll.

import { formatDuration } from '../duration.js';
import { linkSignals, SignalFanOut } from '../abort.js';
import type { EmClient, Task } from '../api/types.js';
import type { Clock } from '../clock.js';
import { EmHttpError, errorMessage, RunbookError } from '../errors.js';
import type { RetryPolicy } from '../playbook/types.js';
import { fromEarlierSession } from './session-epoch.js';
import { backoffDelay } from '../backoff.js';
import { PollSchedule, type Scheduled } from './poll-schedule.js';

// The poller's tests bound its ticks by EARLY_POLLS: it is part of what the poller promises.
export { EARLY_POLLS } from './poll-schedule.js';

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
  /** Shortest gap between two polls; early polls never come closer. @default intervalMs / 5 */
  minGapMs?: number;
}

/**
 * Finished tasks handed out per event-loop turn. Each one's follow-up requests (restore
 * session, delete, the next VM's failover) are built before any is sent; in groups, the
 * first group's are on the wire while the next group's are built, and answers are read in
 * between (bench, 1,000 VMs: ratio ~1.11 → ~1.09; one task per turn costs more CPU).
 */
export const FINISHED_PER_TURN = 8;

/** Default deadline of one poll: half the client's 10-min idle renewal, a third of EM's expiry. */
export const POLL_STALL_MS = 5 * 60_000;

interface Watcher extends Scheduled {
  taskId: string;
  /** Session epoch the task was created under (undefined: not known). */
  epoch: number | undefined;
  /** Detaches it from its step signal's abort. */
  unfollow: (() => void) | undefined;
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
  private readonly stepAborts = new SignalFanOut();
  private running = false;
  /** The next tick may not come before this (min gap after a tick, backoff after a failed one). */
  private notBefore = Number.NEGATIVE_INFINITY;
  private failures = 0;
  private readonly cadence: PollSchedule;
  /** The loop's current sleep: a watch() due earlier than `at` wakes it. */
  private sleeping: { at: number; wake: AbortController } | undefined;
  /** Polls sent, for tests and benchmarks. */
  ticks = 0;

  constructor(private readonly o: PollerOptions) {
    this.cadence = new PollSchedule(o.intervalMs, Math.max(1, o.minGapMs ?? o.intervalMs / 5));
  }

  /** What the poller expects a task to take, learned from finished ones (undefined: none yet). */
  get expectedDurationMs(): number | undefined {
    return this.cadence.expectedDurationMs;
  }

  /** Resolves with the task once its State is Finished (completion keys on State only, §5.1). */
  watch(taskId: string, signal?: AbortSignal, epoch?: number): Promise<Task> {
    return new Promise<Task>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const now = this.o.clock.now();
      const w: Watcher = { taskId, submittedAt: now, lastRunningAt: now, dueAt: 0, early: 0, epoch, unfollow: undefined, resolve, reject };
      this.cadence.schedule(w, now);
      this.watchers.set(taskId, w);
      if (signal) w.unfollow = this.stepAborts.onAbort(signal, (reason) => this.settle(w, () => w.reject(reason)));
      if (!this.running) void this.loop();
      else if (this.sleeping && Math.max(w.dueAt, this.notBefore) < this.sleeping.at) this.sleeping.wake.abort();
    });
  }

  get watching(): number {
    return this.watchers.size;
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.watchers.size > 0) {
        let earliest = Number.POSITIVE_INFINITY;
        for (const w of this.watchers.values()) if (w.dueAt < earliest) earliest = w.dueAt;
        const at = Math.max(this.notBefore, earliest);
        const wait = at - this.o.clock.now();
        if (wait > 0 && !(await this.sleepUntil(at, wait))) continue;
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

  /** Sleeps until `at`; false when a new, earlier due time woke it first. */
  private async sleepUntil(at: number, wait: number): Promise<boolean> {
    const wake = new AbortController();
    this.sleeping = { at, wake };
    try {
      const linked = linkSignals(this.o.signal, wake.signal);
      try {
        await this.o.clock.sleep(wait, linked.signal);
      } finally {
        linked.dispose();
      }
      return true;
    } catch (error) {
      if (this.o.signal?.aborted) throw this.o.signal.reason;
      if (wake.signal.aborted) return false;
      throw error;
    } finally {
      this.sleeping = undefined;
    }
  }

  private async tick(): Promise<void> {
    const tickAt = this.o.clock.now();
    this.notBefore = tickAt + this.cadence.minGapMs;
    // Only the tasks known when the list is asked for: one submitted meanwhile may be
    // missing from the answer, and is read at the next tick rather than alone.
    const polled = [...this.watchers.values()];
    const tasks = await this.list(tickAt);
    if (tasks) await this.handOut(polled, tasks, tickAt);
  }

  /** One GET /tasks under the stall deadline; undefined when it failed (then retried later, or every watcher rejected). */
  private async list(tickAt: number): Promise<Task[] | undefined> {
    const stallMs = this.o.stallMs ?? POLL_STALL_MS;
    const deadline = new AbortController();
    const timer = new AbortController();
    this.o.clock.sleep(stallMs, timer.signal).then(
      () => deadline.abort(new PollStalledError(`GET /tasks got no answer in ${formatDuration(stallMs)}`)),
      () => undefined, // the poll answered first
    );
    try {
      this.ticks++;
      const linked = linkSignals(this.o.signal, deadline.signal);
      let tasks: Task[];
      try {
        tasks = await this.o.client.listTasks({ signal: linked.signal });
      } finally {
        linked.dispose();
      }
      this.failures = 0;
      return tasks;
    } catch (caught) {
      if (this.o.signal?.aborted) throw this.o.signal.reason;
      let error = caught;
      if (deadline.signal.aborted) {
        error = deadline.signal.reason;
        this.o.onStall?.(
          `${errorMessage(error)}: abandoned it. EM ends a logon session idle for 15 min, ` +
            `and with it every task the session started; tasks in flight: ${this.watchers.size}`,
        );
      }
      this.pollFailed(error, tickAt);
      return undefined;
    } finally {
      timer.abort();
    }
  }

  /** A failed poll: retried after a backoff (at least one interval) until the policy's attempts are spent. */
  private pollFailed(error: unknown, tickAt: number): void {
    this.failures++;
    if (this.failures >= this.o.retry.attempts) {
      this.failures = 0;
      for (const w of this.watchers.values()) this.settle(w, () => w.reject(error));
      return;
    }
    const delay = Math.max(backoffDelay(this.failures, this.o.retry.backoffMs, this.o.retry.maxBackoffMs), this.o.intervalMs);
    this.o.onRetry?.(
      `GET /tasks failed (${errorMessage(error)}); poll ${this.failures + 1} of ${this.o.retry.attempts} in ${formatDuration(delay)}`,
    );
    this.notBefore = tickAt + delay;
  }

  /** Resolves the watchers of finished tasks (a few per event-loop turn); reschedules the running ones. */
  private async handOut(polled: Watcher[], tasks: Task[], tickAt: number): Promise<void> {
    const byId = new Map<string, Task>();
    for (const t of tasks) byId.set(t.taskId, t);
    let learned = false;
    let handedOut = 0;
    const polledRunning: Watcher[] = [];
    for (const w of polled) {
      if (this.watchers.get(w.taskId) !== w) continue; // settled meanwhile (aborted)
      let task = byId.get(w.taskId);
      if (!task) task = await this.readOne(w);
      if (!task) continue;
      if (task.state === 'Finished') {
        this.cadence.learn(w, tickAt);
        learned = true;
        if (handedOut > 0 && handedOut % FINISHED_PER_TURN === 0) await this.o.clock.turn();
        handedOut++;
        const finished = task;
        this.settle(w, () => w.resolve(finished));
      } else {
        w.lastRunningAt = tickAt;
        polledRunning.push(w);
      }
    }
    if (learned) this.cadence.updateExpected();
    for (const w of polledRunning) if (this.watchers.get(w.taskId) === w) this.cadence.schedule(w, tickAt);
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
    w.unfollow?.();
    fn();
  }
}
