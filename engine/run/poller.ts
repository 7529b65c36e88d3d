// The shared task poller: ONE `GET /tasks` per tick covers every in-flight task of the
// logon session (API spec §5.2: /tasks lists this session's tasks), instead of one request
// per task. `GET /tasks/{id}` only for a task missing from the list.
//
// Schedule. The regular cadence is one tick per `intervalMs` (the playbook's pollInterval):
// a task is first polled at most one interval after it was submitted, and never waits more
// than one interval between two polls. On top of it, the poller polls EARLY when a task is
// expected to finish: it learns how long tasks take from the ones it saw finish (each gives
// a bracket: last seen running … first seen finished; the estimate is the median of the
// brackets' midpoints over the last 50 tasks), and a task due to finish before the next
// regular tick gets a tick at that moment, then follow-ups while it is overdue, spread so the
// last one lands when 90 % of the learned tasks had been seen finished (a bracket as wide as
// the first interval puts the midpoint well before the end: follow-ups a minGap apart would
// all come too early, and the task would wait a whole interval after them). Bounds:
// - ticks are never closer than `minGapMs` (default intervalMs / 5);
// - each task earns at most EARLY_POLLS early ticks (its expected end and two follow-ups),
//   shared by every task due by then; after that it is back on the regular cadence. Only
//   ticks from its expected end on count: earlier ones were due for other tasks.
// So a tick is either the regular one or justified by a task expected to be finishing, and
// there are at most 1 + EARLY_POLLS × (tasks submitted) ticks per interval, never more than
// intervalMs / minGapMs. Each tick is still ONE GET /tasks, whatever the tasks in flight.
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

/** Early ticks one task may earn: its expected end, then two follow-ups while overdue. */
export const EARLY_POLLS = 3;
/** Finished tasks the duration estimate remembers. */
const SAMPLES = 50;
/**
 * Finished tasks handed out per event-loop turn. Each one's follow-up requests (restore
 * session, delete, the next VM's failover) are built before any is sent; in groups, the
 * first group's are on the wire while the next group's are built, and answers are read in
 * between (bench, 1,000 VMs: ratio ~1.11 → ~1.09; one task per turn costs more CPU).
 */
export const FINISHED_PER_TURN = 8;

/** Default deadline of one poll: half the client's 10-min idle renewal, a third of EM's expiry. */
export const POLL_STALL_MS = 5 * 60_000;

interface Watcher {
  taskId: string;
  /** When watch() was called: right after EM accepted the task. */
  submittedAt: number;
  /** The last tick that saw it running (submittedAt until then). */
  lastRunningAt: number;
  dueAt: number;
  /** Ticks at or after its expected end that still saw it running (early ticks spent, ≤ EARLY_POLLS). */
  early: number;
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
  private readonly minGapMs: number;
  /** Recent finished tasks (ring): each one's duration bracket, as midpoint and upper end. */
  private readonly samples: Array<{ mid: number; upper: number }> = [];
  private nextSample = 0;
  /** Median midpoint: when a task is expected to finish. */
  private expectedMs: number | undefined;
  /** 90th percentile of upper ends: by then nearly every task was seen finished. */
  private latestMs = 0;
  /** The loop's current sleep: a watch() due earlier than `at` wakes it. */
  private sleeping: { at: number; wake: AbortController } | undefined;
  /** Polls sent, for tests and benchmarks. */
  ticks = 0;

  constructor(private readonly o: PollerOptions) {
    this.minGapMs = Math.max(1, o.minGapMs ?? o.intervalMs / 5);
  }

  /** What the poller expects a task to take, learned from finished ones (undefined: none yet). */
  get expectedDurationMs(): number | undefined {
    return this.expectedMs;
  }

  /** Resolves with the task once its State is Finished (completion keys on State only, §5.1). */
  watch(taskId: string, signal?: AbortSignal, epoch?: number): Promise<Task> {
    return new Promise<Task>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const now = this.o.clock.now();
      const w: Watcher = { taskId, submittedAt: now, lastRunningAt: now, dueAt: 0, early: 0, epoch, unfollow: undefined, resolve, reject };
      this.schedule(w, now);
      this.watchers.set(taskId, w);
      if (signal) w.unfollow = this.stepAborts.onAbort(signal, (reason) => this.settle(w, () => w.reject(reason)));
      if (!this.running) void this.loop();
      else if (this.sleeping && Math.max(w.dueAt, this.notBefore) < this.sleeping.at) this.sleeping.wake.abort();
    });
  }

  /** Next poll of a task seen running at `now`: the regular cadence, or earlier if it is expected to finish first. */
  private schedule(w: Watcher, now: number): void {
    const regular = now + this.o.intervalMs;
    if (this.expectedMs !== undefined) {
      const expectedEnd = w.submittedAt + this.expectedMs;
      // A tick before the task's expected end was due for other tasks (or the cadence): it
      // costs this task none of its early ticks. In a wave, the tasks submitted first pull
      // ticks that see the later ones still running; counting those left the later tasks
      // without early ticks, and they waited a whole interval.
      if (now >= expectedEnd && w.early < EARLY_POLLS) w.early++;
      if (w.early < EARLY_POLLS) {
        // 1st at the expected end, the last at the latest one, evenly between (≥ minGap apart).
        const spread = Math.max(this.minGapMs, (this.latestMs - this.expectedMs) / (EARLY_POLLS - 1));
        const early = Math.max(expectedEnd + w.early * spread, now + this.minGapMs);
        if (early < regular) {
          w.dueAt = early;
          return;
        }
      }
    }
    w.dueAt = regular;
  }

  /** A task seen finished at `tickAt`: its duration lies between its last running sighting and now. */
  private learn(w: Watcher, tickAt: number): void {
    const sample = { mid: (w.lastRunningAt + tickAt) / 2 - w.submittedAt, upper: tickAt - w.submittedAt };
    if (this.samples.length < SAMPLES) this.samples.push(sample);
    else this.samples[this.nextSample] = sample;
    this.nextSample = (this.nextSample + 1) % SAMPLES;
  }

  private updateExpected(): void {
    if (this.samples.length === 0) return;
    const mids = this.samples.map((s) => s.mid).sort((a, b) => a - b);
    const uppers = this.samples.map((s) => s.upper).sort((a, b) => a - b);
    this.expectedMs = mids[Math.floor(mids.length / 2)]!;
    this.latestMs = Math.max(this.expectedMs, uppers[Math.min(uppers.length - 1, Math.floor(uppers.length * 0.9))]!);
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
    this.notBefore = tickAt + this.minGapMs;
    // Only the tasks known when the list is asked for: one submitted meanwhile may be
    // missing from the answer, and is read at the next tick rather than alone.
    const polled = [...this.watchers.values()];
    let tasks: Task[];
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
      try {
        tasks = await this.o.client.listTasks({ signal: linked.signal });
      } finally {
        linked.dispose();
      }
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
      const backoff = backoffDelay(this.failures, this.o.retry.backoffMs, this.o.retry.maxBackoffMs);
      this.o.onRetry?.(`GET /tasks failed (${errorMessage(error)}); poll ${this.failures + 1} of ${this.o.retry.attempts} in ${formatDuration(Math.max(backoff, this.o.intervalMs))}`);
      this.notBefore = tickAt + Math.max(backoff, this.o.intervalMs);
      return;
    } finally {
      timer.abort();
    }
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
        this.learn(w, tickAt);
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
    if (learned) this.updateExpected();
    for (const w of polledRunning) if (this.watchers.get(w.taskId) === w) this.schedule(w, tickAt);
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
