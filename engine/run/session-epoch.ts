// Which logon session a task belongs to. EM tasks belong to the session that created them
// (API spec §5): a 404 for a task of an EARLIER session says nothing about the task (it is
// unreachable, not gone), so the engine records the epoch at task creation and compares.

import type { EmClient, Task } from '../api/types.js';

/** The session that owns a task EM just accepted: the one its answer came under. */
export function ownerEpoch(client: EmClient, task: Task): number {
  return task.sessionEpoch ?? client.sessionEpoch;
}

/** True when the task was created under an earlier logon session than the client's current one. */
export function fromEarlierSession(client: EmClient, createdEpoch: number | undefined): boolean {
  return createdEpoch !== undefined && client.sessionEpoch !== createdEpoch;
}
