// When the shared task poller (poller.ts) polls next. The regular cadence is one tick per
// `intervalMs` (the playbook's pollInterval): a task is first polled at most one interval
// after it was submitted, and never waits more than one interval between two polls. On top
// of it, the poller polls EARLY when a task is expected to finish: it learns how long tasks
// take from the ones it saw finish (each gives a bracket: last seen running … first seen
// finished; the estimate is the median of the brackets' midpoints over the last 50 tasks),
// and a task due to finish before the next regular tick gets a tick at that moment, then
// follow-ups while it is overdue, spread so the last one lands when 90 % of the learned tasks
// had been seen finished (a bracket as wide as the first interval puts the midpoint well
// before the end: follow-ups a minGap apart would all come too early, and the task would
// wait a whole interval after them). Bounds:
// - ticks are never closer than `minGapMs` (default intervalMs / 5);
// - each task earns at most EARLY_POLLS early ticks (its expected end and two follow-ups),
//   shared by every task due by then; after that it is back on the regular cadence. Only
//   ticks from its expected end on count: earlier ones were due for other tasks.
// So a tick is either the regular one or justified by a task expected to be finishing, and
// there are at most 1 + EARLY_POLLS × (tasks submitted) ticks per interval, never more than
// intervalMs / minGapMs. Each tick is still ONE GET /tasks, whatever the tasks in flight.

/** Early ticks one task may earn: its expected end, then two follow-ups while overdue. */
export const EARLY_POLLS = 3;
/** Finished tasks the duration estimate remembers. */
const SAMPLES = 50;

/** A watched task as the schedule sees it. */
export interface Scheduled {
  /** When watch() was called: right after EM accepted the task. */
  submittedAt: number;
  /** The last tick that saw it running (submittedAt until then). */
  lastRunningAt: number;
  dueAt: number;
  /** Ticks at or after its expected end that still saw it running (early ticks spent, ≤ EARLY_POLLS). */
  early: number;
}

export class PollSchedule {
  /** Recent finished tasks (ring): each one's duration bracket, as midpoint and upper end. */
  private readonly samples: Array<{ mid: number; upper: number }> = [];
  private nextSample = 0;
  /** Median midpoint: when a task is expected to finish. */
  private expectedMs: number | undefined;
  /** 90th percentile of upper ends: by then nearly every task was seen finished. */
  private latestMs = 0;

  constructor(
    private readonly intervalMs: number,
    readonly minGapMs: number,
  ) {}

  /** What the poller expects a task to take, learned from finished ones (undefined: none yet). */
  get expectedDurationMs(): number | undefined {
    return this.expectedMs;
  }

  /** Next poll of a task seen running at `now`: the regular cadence, or earlier if it is expected to finish first. */
  schedule(w: Scheduled, now: number): void {
    const regular = now + this.intervalMs;
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
  learn(w: Scheduled, tickAt: number): void {
    const sample = { mid: (w.lastRunningAt + tickAt) / 2 - w.submittedAt, upper: tickAt - w.submittedAt };
    if (this.samples.length < SAMPLES) this.samples.push(sample);
    else this.samples[this.nextSample] = sample;
    this.nextSample = (this.nextSample + 1) % SAMPLES;
  }

  /** Re-estimates from the samples (once per tick that learned something). */
  updateExpected(): void {
    if (this.samples.length === 0) return;
    const mids = this.samples.map((s) => s.mid).sort((a, b) => a - b);
    const uppers = this.samples.map((s) => s.upper).sort((a, b) => a - b);
    this.expectedMs = mids[Math.floor(mids.length / 2)]!;
    this.latestMs = Math.max(this.expectedMs, uppers[Math.min(uppers.length - 1, Math.floor(uppers.length * 0.9))]!);
  }
}
