// Which logon session the client is on. EM tasks belong to the session that created them
// (API spec §5): a 404 for a task of an EARLIER session says nothing about the task (it is
// unreachable, not gone), so the engine records the epoch at task creation and compares.

import type { EmClient } from '../api/types.js';

/**
 * The client's session epoch (incremented on each successful logon), or undefined for a
 * client that does not count sessions: then a 404 cannot be told apart and is read as gone.
 */
export function sessionEpoch(client: EmClient): number | undefined {
  const epoch = (client as EmClient & { sessionEpoch?: unknown }).sessionEpoch;
  return typeof epoch === 'number' ? epoch : undefined;
}

/** True when the task was created under an earlier logon session than the client's current one. */
export function fromEarlierSession(client: EmClient, createdEpoch: number | undefined): boolean {
  const now = sessionEpoch(client);
  return createdEpoch !== undefined && now !== undefined && now !== createdEpoch;
}
