// Reading EM representations into our types. XML and JSON differ only in collections and
// lists (`<Links><Link/></Links>` vs `"Links": [...]`, `<Ref>` vs `"Refs"`), so each
// reader accepts both; values may be strings (XML) or native JSON types.

import type { CdpIntervals, CdpReplica, CdpReplicaVm, EntityRef, Link, RestoreSession, Task, TaskState } from './types.js';
import type { EmDocument, Node } from './document.js';

/** The body has the wrong shape; the caller names the endpoint. */
export class ShapeError extends Error {
  override name = 'ShapeError';
}

// ---------------------------------------------------------------------------- primitives

export function str(node: Node, key: string): string | undefined {
  const value = node[key];
  if (typeof value === 'string') return value === '' ? undefined : detached(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isNode(value) && typeof value['#text'] === 'string') return detached(value['#text']);
  return undefined;
}

/**
 * The parser's values are substrings of the response body, and V8 keeps a substring of 13
 * or more characters as a view into its parent: one restore-session GUID kept in the run
 * report kept its whole 1 KB response alive (6 MB at 6,000 VMs). Concatenating flattens
 * into a new string of the value's own size.
 */
function detached(value: string): string {
  return value.length < 13 ? common(value) : ` ${value}`.slice(1);
}

/**
 * Short values repeat: every VM's restore session reads `Stopped`, `Success`, `Ok`, and
 * each parse makes a new copy (~1 MB kept in the report at 10,000 VMs). The first 512
 * distinct short values are shared; past that, values are kept as they come.
 */
const COMMON = new Map<string, string>();
function common(value: string): string {
  const known = COMMON.get(value);
  if (known !== undefined) return known;
  if (COMMON.size < 512) COMMON.set(value, value);
  return value;
}

function reqStr(node: Node, key: string, what: string): string {
  const value = str(node, key);
  if (value === undefined) throw new ShapeError(`${what} has no ${key}`);
  return value;
}

function bool(node: Node, key: string): boolean | undefined {
  const value = node[key];
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    if (/^true$/i.test(value)) return true;
    if (/^false$/i.test(value)) return false;
  }
  return undefined;
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A list written either as a JSON array or as an XML wrapper holding `child` elements. */
export function listOf(value: unknown, child: string): Node[] {
  if (Array.isArray(value)) return value.filter(isNode);
  if (isNode(value)) {
    const inner = value[child];
    if (Array.isArray(inner)) return inner.filter(isNode);
    if (isNode(inner)) return [inner];
  }
  return [];
}

/** `T` with every possibly-undefined property made optional instead. */
type Defined<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

/** Only the defined properties (exactOptionalPropertyTypes forbids explicit undefined). */
function defined<T extends object>(object: T): Defined<T> {
  // Keys added in order to a fresh object: objects of one shape share their hidden class.
  const out: Record<string, unknown> = {};
  for (const key in object) if (object[key] !== undefined) out[key] = object[key];
  return out as Defined<T>;
}

/** The last path segment of an href, without query: the id EM uses in URLs. */
export function idFromHref(href: string): string {
  const path = href.split('?')[0] ?? '';
  const segments = path.split('/').filter((s) => s !== '');
  return decodeURIComponent(segments[segments.length - 1] ?? '');
}

/** The GUID of a `urn:veeam:Type:guid` UID. */
function idFromUid(uid: string | undefined): string | undefined {
  if (!uid) return undefined;
  const last = uid.split(':').pop();
  return last || undefined;
}

// ---------------------------------------------------------------------------- shared pieces

export function parseLinks(node: Node): Link[] {
  return listOf(node.Links, 'Link').flatMap((l) => {
    const rel = str(l, 'Rel');
    const href = str(l, 'Href');
    if (!rel || !href) return [];
    return [defined({ rel, href, type: str(l, 'Type'), name: str(l, 'Name') })];
  });
}

function findLink(links: Link[], rel: string, types: string[]): Link | undefined {
  return links.find((l) => l.rel === rel && l.type !== undefined && types.includes(l.type));
}

export function parseRef(node: Node, what: string): EntityRef {
  const href = reqStr(node, 'Href', what);
  const uid = str(node, 'UID');
  return defined({
    id: idFromHref(href) || idFromUid(uid) || '',
    name: str(node, 'Name') ?? '',
    uid,
    type: str(node, 'Type') ?? '',
    href,
    links: parseLinks(node),
  });
}

/**
 * The items of a collection: `EntityReferences` (`Ref` / `Refs`), a `QueryResult`
 * (`Refs/Ref` / `Refs.Refs`, or `Entities/<plural>/<item>`), or a typed list whose items
 * are named by one of `itemNames` (XML) / `pluralNames` (JSON).
 */
export function collection(doc: EmDocument, itemNames: string[], pluralNames: string[]): Node[] {
  const body = doc.body;
  if (doc.media === 'xml') {
    if (doc.root === 'EntityReferences') return listOf(body, 'Ref');
    if (doc.root === 'QueryResult') {
      if (body.Refs !== undefined) return listOf(body.Refs, 'Ref');
      const entities = body.Entities;
      if (isNode(entities)) return pluralNames.flatMap((p) => itemNames.flatMap((i) => listOf(entities[p], i)));
      return [];
    }
    return itemNames.flatMap((name) => listOf(body, name));
  }
  const refs = body.Refs;
  if (Array.isArray(refs)) return listOf(refs, 'Ref');
  if (isNode(refs)) return listOf(refs.Refs, 'Ref');
  const entities = body.Entities;
  const holder = isNode(entities) ? entities : body;
  for (const plural of pluralNames) {
    // Real QueryResults nest the list once more: `Entities.BackupJobSessions.BackupJobSessions`.
    const value = holder[plural];
    if (Array.isArray(value)) return listOf(value, '');
    if (isNode(value) && Array.isArray(value[plural])) return listOf(value[plural], '');
  }
  return [];
}

// ---------------------------------------------------------------------------- resources

export function parseCdpReplica(node: Node): CdpReplica {
  const ref = parseRef(node, 'CDP replica');
  const server = findLink(ref.links, 'Up', ['BackupServerReference', 'BackupServer']);
  const policy = findLink(ref.links, 'Up', ['CdpPolicyReference']);
  return defined(
    Object.assign(ref, {
      backupServer: str(node, 'BackupServer') ?? server?.name,
      policyUid: str(node, 'PolicyUid') ?? (policy ? idFromHref(policy.href) : undefined),
      policyName: str(node, 'PolicyName') ?? policy?.name,
    }),
  );
}

export function parseCdpReplicaVm(node: Node, replicaId?: string): CdpReplicaVm {
  const ref = parseRef(node, 'CDP replica VM');
  const fromHref = /\/(?:cdpReplicas|cdpReplica\/vApps)\/([^/?]+)\/vms\//i.exec(ref.href)?.[1];
  const id = replicaId ?? str(node, 'ReplicaUid') ?? fromHref;
  if (!id) throw new ShapeError('CDP replica VM has no ReplicaUid');
  const server = findLink(ref.links, 'Up', ['BackupServerReference', 'BackupServer']);
  return defined(
    Object.assign(ref, {
      replicaId: id,
      vmRef: str(node, 'VmRef'),
      backupServer: str(node, 'BackupServer') ?? server?.name,
    }),
  );
}

const TASK_STATES: readonly TaskState[] = ['Running', 'OperationFinished', 'Finished'];

export function parseTask(node: Node): Task {
  const taskId = reqStr(node, 'TaskId', 'Task');
  const state = reqStr(node, 'State', `Task ${taskId}`);
  if (!(TASK_STATES as readonly string[]).includes(state)) {
    throw new ShapeError(`Task ${taskId} has unknown State "${state}"`);
  }
  const links = parseLinks(node);
  const resultNode = node.Result;
  let result: Task['result'];
  if (isNode(resultNode)) {
    const success = bool(resultNode, 'Success');
    if (success === undefined) throw new ShapeError(`Task ${taskId} has a Result without Success`);
    result = defined({ success, message: str(resultNode, 'Message') });
  }
  const related = findLink(links, 'Related', ['RestoreSession']);
  const href = str(node, 'Href') ?? links.find((l) => l.rel === 'Delete')?.href ?? `/tasks/${taskId}`;
  return defined({
    taskId,
    state: state as TaskState,
    operation: reqStr(node, 'Operation', `Task ${taskId}`),
    result,
    restoreSessionHref: related?.href,
    href,
  });
}

export function parseIntervals(node: Node): CdpIntervals {
  const what = 'CdpReplicaIntervals';
  return {
    start: reqStr(node, 'StartDate', what),
    end: reqStr(node, 'EndDate', what),
    hasApplicationConsistentState: bool(node, 'HasApplicationConsistentState') ?? false,
    intervals: listOf(node.Intervals, 'Interval').map((i) => {
      const rpo = Number(str(i, 'Rpo'));
      if (!Number.isFinite(rpo)) throw new ShapeError(`${what} has an Interval without a numeric Rpo`);
      return {
        start: reqStr(i, 'StartDate', 'Interval'),
        end: reqStr(i, 'EndDate', 'Interval'),
        rpoSeconds: rpo,
        type: str(i, 'IntervalType') ?? '',
      };
    }),
    restorePoints: listOf(node.RestorePoints, 'RestorePoint').map((p) => ({
      id: reqStr(p, 'Id', 'RestorePoint'),
      date: reqStr(p, 'Date', 'RestorePoint'),
      appConsistent: bool(p, 'IsApplicationConsistent') ?? false,
    })),
  };
}

export function parseRestoreSession(node: Node): RestoreSession {
  const href = str(node, 'Href');
  const id = idFromUid(str(node, 'UID')) ?? (href ? idFromHref(href) : undefined);
  if (!id) throw new ShapeError('RestoreSession has neither UID nor Href');
  return defined({
    id,
    name: str(node, 'Name'),
    state: reqStr(node, 'State', 'RestoreSession'),
    result: str(node, 'Result'),
    vmDisplayName: str(node, 'VmDisplayName'),
    createdAt: str(node, 'CreationTimeUTC'),
  });
}

export interface LogonSessionInfo {
  sessionId: string;
  userName?: string;
}

export function parseLogonSession(node: Node): LogonSessionInfo {
  const href = str(node, 'Href');
  const sessionId = str(node, 'SessionId') ?? (href ? idFromHref(href) : undefined);
  if (!sessionId) throw new ShapeError('LogonSession has neither SessionId nor Href');
  return defined({ sessionId, userName: str(node, 'UserName') });
}
