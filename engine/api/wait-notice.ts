// A request EM has not answered for a while says so ("waiting for em01:9398, 20 s"): a
// silent server must not look like a hung tool. The notice ends when the request does.

import { formatDuration } from '../duration.js';
import type { Clock } from '../clock.js';

/** The notices' stop reason: an abort without one builds a DOMException (a stack trace per request). */
const ENDED = Symbol('request ended');

/** Settles as `work` does; meanwhile calls `onWait` every `everyMs` with the time waited so far. */
export async function withWaitNotice<T>(work: Promise<T>, clock: Clock, everyMs: number, onWait: (waitedMs: number) => void): Promise<T> {
  const stop = new AbortController();
  const notices = (async () => {
    let waited = 0;
    try {
      for (;;) {
        await clock.sleep(everyMs, stop.signal);
        waited += everyMs;
        onWait(waited);
      }
    } catch {
      // Stopped: the request ended.
    }
  })();
  try {
    return await work;
  } finally {
    stop.abort(ENDED);
    await notices;
  }
}

/** `waiting for em01:9398, 20s (POST /sessionMngr/?v=latest)` */
export function describeWait(e: { method: string; path: string; host: string; waitedMs: number }): string {
  return `waiting for ${e.host || 'Enterprise Manager'}, ${formatDuration(e.waitedMs)} (${e.method} ${e.path})`;
}
