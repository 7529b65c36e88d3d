// The run-wide cap on failovers in flight (`runbook run --concurrency N`): one pool of N
// slots shared by every failover step running at once (the children of a parallel group),
// while each step's own `concurrency` still bounds that step. A VM (or vApp, or failover
// plan) holds its slot from its failover POST to its last request (task delete, restore
// session read), so at most N are ever being failed over.
//
// Slots are handed out first come, first served: a VM that finishes hands its slot to the
// oldest waiter, whichever step it belongs to, so work flows from step to step instead of
// waiting for a whole group to drain.

/** Gives back a slot; calling it again does nothing. */
export type Release = () => void;

interface Waiter {
  grant: (release: Release) => void;
}

export class InFlightLimit {
  private active = 0;
  /** Insertion-ordered: the first entry is the oldest waiter; deleting an aborted one is O(1). */
  private readonly waiting = new Set<Waiter>();

  /** `max`: Infinity for no run-wide cap. */
  constructor(readonly max: number) {}

  get inFlight(): number {
    return this.active;
  }

  /** Resolves with a Release once a slot is free; rejects with the signal's reason if aborted first. */
  acquire(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.active < this.max && this.waiting.size === 0) {
      this.active++;
      return Promise.resolve(this.release());
    }
    return new Promise<Release>((resolve, reject) => {
      const onAbort = () => {
        this.waiting.delete(waiter);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        grant: (release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      this.waiting.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private release(): Release {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiting.values().next();
      if (next.done) {
        this.active--;
        return;
      }
      // The slot passes straight to the oldest waiter: `active` is unchanged.
      this.waiting.delete(next.value);
      next.value.grant(this.release());
    };
  }
}
