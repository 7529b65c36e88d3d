// Time is a dependency: polling, backoff, session expiry and task durations all read
// an injected Clock, so tests can drive a 15-minute expiry in milliseconds.

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with `signal.reason` when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * One turn of the event loop: pending I/O and timers run before the caller goes on; time
   * does not move. Work handed out in groups with a turn between them reaches the network
   * group by group, instead of all of it after the last group.
   */
  turn(): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  turn: () => new Promise<void>((resolve) => setImmediate(resolve)),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** A clock whose time runs `scale` times faster than real time (for demos: `--time-scale`). */
export function scaledClock(scale: number, base: Clock = systemClock): Clock {
  const start = base.now();
  return {
    now: () => start + (base.now() - start) * scale,
    sleep: (ms, signal) => base.sleep(ms / scale, signal),
    turn: () => base.turn(),
  };
}

interface Sleeper {
  at: number;
  seq: number;
  resolve: () => void;
}

/**
 * Virtual time for tests. `advance(ms)` moves time and wakes sleepers in deadline order.
 * With `auto: true`, whenever every pending promise has settled (the macrotask queue is
 * reached) and someone sleeps, time jumps straight to the earliest deadline, so code that
 * polls for ten virtual minutes finishes in milliseconds, deterministically.
 */
export class FakeClock implements Clock {
  private time: number;
  private seq = 0;
  private sleepers: Sleeper[] = [];
  private autoScheduled = false;
  readonly auto: boolean;

  constructor(options: { start?: number; auto?: boolean } = {}) {
    this.time = options.start ?? Date.parse('2026-01-01T00:00:00Z');
    this.auto = options.auto ?? false;
  }

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const sleeper: Sleeper = {
        at: this.time + Math.max(0, ms),
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(sleeper);
      this.scheduleAuto();
    });
  }

  /**
   * Virtual time has no I/O to let through: what is queued (microtasks) runs, and nothing
   * waits for a macrotask, so the auto mode's time jumps are not interleaved with it.
   */
  async turn(): Promise<void> {
    await Promise.resolve();
  }

  /** Move time forward by `ms`, waking every sleeper whose deadline has come, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      const next = this.earliest();
      if (!next || next.at > target) break;
      this.time = Math.max(this.time, next.at);
      this.sleepers = this.sleepers.filter((s) => s !== next);
      next.resolve();
      await flushMicrotasks();
    }
    this.time = target;
  }

  /** Number of pending sleepers (useful to assert nothing is left polling). */
  get pending(): number {
    return this.sleepers.length;
  }

  private earliest(): Sleeper | undefined {
    let best: Sleeper | undefined;
    for (const s of this.sleepers) {
      if (!best || s.at < best.at || (s.at === best.at && s.seq < best.seq)) best = s;
    }
    return best;
  }

  private scheduleAuto(): void {
    if (!this.auto || this.autoScheduled) return;
    this.autoScheduled = true;
    // setImmediate runs after all queued microtasks and I/O callbacks: by then every
    // actor that can make progress has, and the earliest sleeper is due next.
    setImmediate(() => {
      this.autoScheduled = false;
      const next = this.earliest();
      if (!next) return;
      this.time = Math.max(this.time, next.at);
      this.sleepers = this.sleepers.filter((s) => s !== next);
      next.resolve();
      if (this.sleepers.length > 0) this.scheduleAuto();
    });
  }
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
