// Waiting on something that may never settle (the progress view), with a bound.

import type { Clock } from '../clock.js';

/**
 * True when `view` settles within `ms` of `clock`, false otherwise; never rejects, never
 * waits longer. The timer is a real one: it keeps the process alive, so a view that
 * never settles can no longer let the event loop drain (Node then exits 0, silently).
 */
export async function settleWithin(view: Promise<unknown>, clock: Clock, ms: number): Promise<boolean> {
  const stop = new AbortController();
  const timeUp = clock.sleep(ms, stop.signal).then(
    () => false,
    () => false, // stopped: the view settled first
  );
  try {
    return await Promise.race([
      view.then(
        () => true,
        () => true,
      ),
      timeUp,
    ]);
  } finally {
    stop.abort();
  }
}
