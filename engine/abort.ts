// A signal that aborts when any of its sources does, with an explicit `dispose` that
// detaches it. AbortSignal.any is missing before Node 20.3, and on Node 20 every composite
// stays referenced by a long-lived source (the run's signal) until that source aborts:
// per-request and per-tick composites then pile up over a long run.

export interface LinkedSignal {
  signal: AbortSignal;
  dispose(): void;
}

export function linkSignals(...sources: (AbortSignal | undefined)[]): LinkedSignal {
  const controller = new AbortController();
  const attached: { source: AbortSignal; onAbort: () => void }[] = [];
  const dispose = () => {
    for (const { source, onAbort } of attached) source.removeEventListener('abort', onAbort);
    attached.length = 0;
  };
  for (const source of sources) {
    if (!source) continue;
    if (source.aborted) {
      controller.abort(source.reason);
      break;
    }
    const onAbort = () => {
      controller.abort(source.reason);
      dispose();
    };
    source.addEventListener('abort', onAbort, { once: true });
    attached.push({ source, onAbort });
  }
  if (controller.signal.aborted) dispose();
  return { signal: controller.signal, dispose };
}

/**
 * Short-lived followers of long-lived signals through ONE listener per signal. Node's
 * EventTarget walks its whole listener list on every add and remove, so one listener per
 * request (or per watched task) on the run's signal costs O(followers) twice per follower.
 */
export class SignalFanOut {
  private readonly groups = new WeakMap<AbortSignal, Set<(reason: unknown) => void>>();

  /** Aborts `controller` with `source`'s reason when `source` aborts; returns the detach. */
  follow(source: AbortSignal, controller: AbortController): () => void {
    return this.onAbort(source, (reason) => controller.abort(reason));
  }

  /** Calls `callback` with `source`'s reason when it aborts (at once if it has); returns the detach. */
  onAbort(source: AbortSignal, callback: (reason: unknown) => void): () => void {
    if (source.aborted) {
      callback(source.reason);
      return () => {};
    }
    const group = this.groupOf(source);
    group.add(callback);
    return () => void group.delete(callback);
  }

  /** The followers of `source`, with the one abort listener that reaches them all. */
  private groupOf(source: AbortSignal): Set<(reason: unknown) => void> {
    const known = this.groups.get(source);
    if (known) return known;
    const group = new Set<(reason: unknown) => void>();
    this.groups.set(source, group);
    const onAbort = () => {
      this.groups.delete(source);
      for (const member of [...group]) member(source.reason);
      group.clear();
    };
    source.addEventListener('abort', onAbort, { once: true });
    return group;
  }
}
