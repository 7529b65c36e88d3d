// The /restoreSessions collection: one restore session per VM-level failover the model has
// started (world.ts creates it Working with the task, and ends it with the operation), as
// references or entities.

import type { El } from './doc.js';
import { restoreSessionEl, type RestoreSessionM } from './reps-core.js';

/** In a collection the reference element is `Ref`, not the root `EntityRef`. */
export function restoreSessionRef(api: string, rs: RestoreSessionM, now: number): El {
  return { ...restoreSessionEl(api, rs, false, now), name: 'Ref' };
}

export function restoreSessionEntity(api: string, rs: RestoreSessionM, now: number): El {
  return restoreSessionEl(api, rs, true, now);
}

/** Oldest first, as they were created. */
export function restoreSessionsOf(sessions: Map<string, RestoreSessionM>): RestoreSessionM[] {
  return [...sessions.values()].sort((a, b) => a.createdAt - b.createdAt);
}
