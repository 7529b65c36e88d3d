// When a failover's task is lost (its logon session ended, EM restarted, the POST's answer
// never came), EM can often still tell what happened: the backup server keeps a restore
// session per failover, visible to any logon session (API spec §6.4; engine/api/README
// notes the evidence). We look for the one session of that VM created at or after the POST
// and read it. Never a second POST to find out; nothing found or anything ambiguous: the
// caller keeps `unknown`.

import type { EmClient, RestoreSession, Task } from '../api/types.js';

export interface FoundSession {
  /** failed-over: Result Success/Warning; failed: Result Failed; running: not ended yet. */
  outcome: 'failed-over' | 'failed' | 'running';
  session: RestoreSession;
  href: string;
}

/** Clock skew allowed between this host and the backup server when matching CreationTimeUTC. */
const SKEW_MS = 60_000;
/** Newest candidates read (by name), so a VM with a long history costs few requests. */
const MAX_READS = 5;

export function outcomeOf(session: RestoreSession): FoundSession['outcome'] {
  if (session.result === 'Success' || session.result === 'Warning') return 'failed-over';
  if (session.result === 'Failed') return 'failed';
  return 'running';
}

/**
 * The restore session of `vm` created at or after `postedAtMs` (GET /restoreSessions, then
 * the entity of each candidate whose Name is `<vm>@…`, matched on VmDisplayName and
 * CreationTimeUTC). Undefined when none or more than one matches, or when EM cannot be asked.
 */
export async function findRestoreSession(
  client: EmClient,
  vm: string,
  postedAtMs: number,
  signal?: AbortSignal,
): Promise<FoundSession | undefined> {
  const options = signal ? { signal } : {};
  try {
    const refs = (await client.listRestoreSessions(options)).filter((r) => r.name.startsWith(`${vm}@`));
    // Names end in the start time (`vm@2026-11-27 10:22:33`): newest first.
    const candidates = refs.sort((a, b) => b.name.localeCompare(a.name)).slice(0, MAX_READS);
    const matches: FoundSession[] = [];
    for (const ref of candidates) {
      const session = await client.getRestoreSession(ref.href, options);
      const created = session.createdAt !== undefined ? Date.parse(session.createdAt) : Number.NaN;
      if (session.vmDisplayName === vm && created >= postedAtMs - SKEW_MS)
        matches.push({ outcome: outcomeOf(session), session, href: ref.href });
    }
    return matches.length === 1 ? matches[0] : undefined;
  } catch {
    // Asking is a bonus: the VM stays `unknown`, which is true.
    return undefined;
  }
}

/** `restore session erp-db01@2026-… ended Success` for messages. */
export function describeSession(found: FoundSession): string {
  const s = found.session;
  return `restore session ${s.name ?? s.id} ${found.outcome === 'running' ? `is ${s.state}` : `ended ${s.result ?? s.state}`}`;
}

/** The restore session's id: the last path segment of its href (`…/restoreSessions/{id}?format=Entity`). */
const sessionId = (href: string) => href.split('?')[0]?.split('/').at(-1) ?? href;

/**
 * The finished task that links to this restore session, among this logon session's tasks
 * (one GET /tasks): a failover whose answer was lost still has its task, and once it is
 * found its result can be journaled and the task deleted like any other. Undefined when
 * none (or more than one) matches, or when EM cannot be asked.
 */
export async function taskOfSession(client: EmClient, sessionHref: string, signal?: AbortSignal): Promise<Task | undefined> {
  try {
    const id = sessionId(sessionHref);
    const tasks = (await client.listTasks(signal ? { signal } : {})).filter(
      (t) => t.state === 'Finished' && t.restoreSessionHref !== undefined && sessionId(t.restoreSessionHref) === id,
    );
    return tasks.length === 1 ? tasks[0] : undefined;
  } catch {
    return undefined;
  }
}
