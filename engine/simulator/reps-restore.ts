// The /restoreSessions collection: one restore session per VM-level failover the model has
// completed (world.ts creates them when a failover task ends), as references or entities.

import type { El } from './doc.js';
import { restoreSessionEl, type RestoreSessionM } from './reps-core.js';

/** In a collection the reference element is `Ref`, not the root `EntityRef`. */
export function restoreSessionRef(api: string, rs: RestoreSessionM): El {
  return { ...restoreSessionEl(api, rs, false), name: 'Ref' };
}

export function restoreSessionEntity(api: string, rs: RestoreSessionM): El {
  return restoreSessionEl(api, rs, true);
}

/** Oldest first, as they were created. */
export function restoreSessionsOf(sessions: Map<string, RestoreSessionM>): RestoreSessionM[] {
  return [...sessions.values()].sort((a, b) => a.createdAt - b.createdAt);
}
