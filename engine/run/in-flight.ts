// The run-wide cap on failovers in flight (`runbook run --concurrency N`): one pool of N
// slots shared by every failover step running at once (the children of a parallel group),
// while each step's own `concurrency` still bounds that step. A VM (or vApp, or failover
// plan) holds its slot from its failover POST to its last request (task delete, restore
// session read), so at most N are ever being failed over.
//
// Slots are handed out first come, first served: a VM that finishes hands its slot to the
// oldest waiter, whichever step it belongs to, so work flows from step to step instead of
// waiting for a whole group to drain. A step asks for its first slots with ONE entry
// (`grants`): 500 replica steps of 20 VMs queue 500 entries, not 10,000 waiting workers
// (~1.5 KB of suspended async state each), and keep exactly the order 10,000 would have.

/** Gives back a slot; calling it again does nothing. */
export type Release = () => void;

interface Waiter {
  /** Slots this entry still wants; it keeps its place in line until they are all given. */
  wanted: number;
  grant: (release: Release) => void;
  /** Called when the entry leaves the queue (all granted or aborted). */
  done: () => void;
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
      let granted = false;
      const grant = (release: Release) => {
        granted = true;
        resolve(release);
      };
      this.enqueue(1, signal, grant, () => {
        if (!granted) reject(signal?.reason);
      });
    });
  }

  /**
   * Up to `count` slots, each passed to `onGrant` as it frees up, all from one place in line
   * (as `count` acquire() calls made now would get them). Resolves once all are given, or
   * when the signal aborts (the rest are then never given).
   */
  grants(count: number, signal: AbortSignal | undefined, onGrant: (release: Release) => void): Promise<void> {
    if (signal?.aborted || count <= 0) return Promise.resolve();
    while (count > 0 && this.active < this.max && this.waiting.size === 0) {
      this.active++;
      count--;
      onGrant(this.release());
    }
    if (count === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.enqueue(count, signal, onGrant, resolve));
  }

  private enqueue(wanted: number, signal: AbortSignal | undefined, grant: (release: Release) => void, done: () => void): void {
    const onAbort = () => {
      this.waiting.delete(waiter);
      done();
    };
    const waiter: Waiter = {
      wanted,
      grant,
      done: () => {
        signal?.removeEventListener('abort', onAbort);
        done();
      },
    };
    this.waiting.add(waiter);
    signal?.addEventListener('abort', onAbort, { once: true });
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
      // Out of the queue before the grant runs (it may release at once), done after it.
      const waiter = next.value;
      const last = --waiter.wanted === 0;
      if (last) this.waiting.delete(waiter);
      waiter.grant(this.release());
      if (last) waiter.done();
    };
  }
}
