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
 * Short-lived controllers that follow long-lived signals through ONE listener per signal.
 * Node's EventTarget walks its whole listener list on every add and remove, so one listener
 * per request on the run's signal costs O(requests in flight) twice per request.
 */
export class SignalFanOut {
  private readonly groups = new WeakMap<AbortSignal, Set<AbortController>>();

  /** Aborts `controller` with `source`'s reason when `source` aborts; returns the detach. */
  follow(source: AbortSignal, controller: AbortController): () => void {
    if (source.aborted) {
      controller.abort(source.reason);
      return () => {};
    }
    const group = this.groupOf(source);
    group.add(controller);
    return () => void group.delete(controller);
  }

  /** The followers of `source`, with the one abort listener that reaches them all. */
  private groupOf(source: AbortSignal): Set<AbortController> {
    const known = this.groups.get(source);
    if (known) return known;
    const group = new Set<AbortController>();
    this.groups.set(source, group);
    const onAbort = () => {
      this.groups.delete(source);
      for (const member of group) member.abort(source.reason);
      group.clear();
    };
    source.addEventListener('abort', onAbort, { once: true });
    return group;
  }
}
