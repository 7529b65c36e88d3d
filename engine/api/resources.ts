// The typed resource functions of EmClient: which call, which representation, which
// parser. Name lookups and the "already gone" rules live here; see client-readme.md.

import { EmHttpError, EmMalformedResponseError, OutcomeUnknownError, PreflightError, type EmErrorContext } from '../errors.js';
import { relativePath } from './base-url.js';
import { calls } from './calls.js';
import {
  ShapeError,
  collection,
  parseCdpReplica,
  parseCdpReplicaVm,
  parseIntervals,
  parseRef,
  parseRestoreSession,
  parseTask,
} from './codec.js';
import type { EmDocument, Node } from './document.js';
import type { Success } from './pipeline.js';
import type { ApiCall, CallOptions, CdpReplica, EmClient, EntityRef, Task } from './types.js';

export type Request = (call: ApiCall, options?: CallOptions) => Promise<Success>;

type Resources = Omit<EmClient, 'media' | 'sessionEpoch' | 'logon' | 'logout' | 'encode' | 'call'>;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The id inside `nameOrId` when it is one: a bare GUID or a `urn:veeam:Type:guid` UID. */
export function asId(nameOrId: string): string | undefined {
  const candidate = nameOrId.startsWith('urn:veeam:') ? (nameOrId.split(':').pop() ?? '') : nameOrId;
  return GUID.test(candidate) ? candidate : undefined;
}

function ctxOf(call: ApiCall, success: Success): EmErrorContext {
  const ctx: EmErrorContext = { method: call.method, path: call.path, status: success.status };
  if (success.statusText) ctx.statusText = success.statusText;
  return ctx;
}

/** Runs a parser; throws ShapeError saying what is wrong (empty body, wrong root, shape). */
function parseDoc<T>(success: Success, roots: string[] | undefined, parse: (doc: EmDocument) => T): T {
  const doc = success.doc;
  if (!doc) throw new ShapeError('empty body where a representation was expected');
  if (roots && doc.media === 'xml' && doc.root !== undefined && !roots.includes(doc.root)) {
    throw new ShapeError(`expected <${roots.join('> or <')}>, got <${doc.root}>`);
  }
  return parse(doc);
}

/** Runs a parser; a wrong shape becomes EmMalformedResponseError naming the endpoint. */
function decode<T>(call: ApiCall, success: Success, roots: string[] | undefined, parse: (doc: EmDocument) => T): T {
  try {
    return parseDoc(success, roots, parse);
  } catch (error) {
    if (error instanceof ShapeError) throw new EmMalformedResponseError(ctxOf(call, success), error.message);
    throw error;
  }
}

/**
 * A mutating call EM answered 2xx but whose Task we cannot read: it was accepted, so its
 * outcome is unknown (never "failed", never re-sent).
 */
export function acceptedUnreadable(call: ApiCall, success: Success, options: CallOptions | undefined, why: string): OutcomeUnknownError {
  const ctx: EmErrorContext = ctxOf(call, success);
  if (options?.subject !== undefined) ctx.subject = options.subject;
  return new OutcomeUnknownError(
    ctx,
    `outcome unknown (accepted, but the answer could not be read: ${why}); EM may have started it, so it is not sent again: check Enterprise Manager before re-running`,
  );
}

/** Is this body a Task (XML root, or JSON `Type`)? */
export function isTaskDocument(doc: EmDocument | undefined): boolean {
  if (!doc) return false;
  return doc.media === 'xml' ? doc.root === 'Task' : doc.body.Type === 'Task';
}

/** 404 (and 400 for an id EM cannot even parse) mean "no such object" on a lookup. */
function isNotFound(error: unknown): boolean {
  return error instanceof EmHttpError && (error.status === 404 || error.status === 400);
}

/**
 * The items of a collection answer. The collection must be there: an answer of another
 * shape fails rather than reading as an empty list (which `plan` would call "not found").
 */
function decodeList<T>(call: ApiCall, success: Success, items: string[], plurals: string[], parse: (n: Node) => T): T[] {
  return decode(call, success, [...COLLECTION_ROOTS, ...plurals], (doc) => {
    const keys = [...COLLECTION_KEYS, ...plurals];
    if (doc.media === 'json' && !keys.some((k) => k in doc.body)) {
      throw new ShapeError(`expected a collection (${keys.join(', ')}), got ${describeKeys(doc.body)}`);
    }
    return collection(doc, items, plurals).map(parse);
  });
}

/** Stamps the logon session a task was seen under (tasks belong to their session, §5). */
function withEpoch(task: Task, success: Success): Task {
  // Set on the freshly parsed task, not spread into a copy (a new hidden class per copy on Node 20).
  if (success.sessionEpoch !== undefined) task.sessionEpoch = success.sessionEpoch;
  return task;
}

/** XML roots of any collection (besides the typed plural itself, e.g. `<Tasks>`). */
const COLLECTION_ROOTS = ['EntityReferences', 'QueryResult'];
/** JSON keys of any collection (besides the typed plural, e.g. `"Tasks"`). */
const COLLECTION_KEYS = ['Refs', 'Entities'];

function describeKeys(body: Node): string {
  const keys = Object.keys(body);
  return keys.length === 0 ? 'an empty object' : `keys ${keys.slice(0, 5).join(', ')}`;
}

function single<T extends EntityRef>(kind: string, name: string, matches: T[]): T | undefined {
  if (matches.length <= 1) return matches[0];
  const ids = matches.map((m) => m.id).join(', ');
  throw new PreflightError([`${matches.length} ${kind}s are named "${name}" (ids ${ids}): use the id instead`]);
}

export function createResources(request: Request): Resources {
  const task = async (call: ApiCall, options?: CallOptions): Promise<Task> => {
    const success = await request(call, options);
    const parse = (doc: EmDocument) => withEpoch(parseTask(doc.body), success);
    if (!call.mutating) return decode(call, success, ['Task'], parse);
    try {
      return parseDoc(success, ['Task'], parse);
    } catch (error) {
      if (error instanceof ShapeError) throw acceptedUnreadable(call, success, options, error.message);
      throw error;
    }
  };
  const list = async <T>(call: ApiCall, items: string[], plurals: string[], parse: (n: Node) => T, options?: CallOptions) =>
    decodeList(call, await request(call, options), items, plurals, parse);
  const getOne = async <T>(call: ApiCall, roots: string[], parse: (n: Node) => T, options?: CallOptions) => {
    try {
      const success = await request(call, options);
      return decode(call, success, roots, (doc) => parse(doc.body));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  };

  const listCdpReplicas = (options?: CallOptions) =>
    list(calls.listCdpReplicas(), ['Ref', 'CdpReplica'], ['Refs', 'CdpReplicas'], parseCdpReplica, options);
  const listVappCdpReplicas = (options?: CallOptions) =>
    list(calls.listVappCdpReplicas(), ['Ref', 'VAppCdpReplica'], ['Refs', 'VAppCdpReplicas'], parseCdpReplica, options);
  const listFailoverPlans = (options?: CallOptions) =>
    list(calls.listFailoverPlans(), ['Ref', 'FailoverPlan'], ['Refs', 'FailoverPlans'], (n) => parseRef(n, 'failover plan'), options);

  const byName = <T extends EntityRef>(kind: string, name: string, all: T[]) =>
    single(
      kind,
      name,
      all.filter((r) => r.name === name),
    );

  return {
    listCdpReplicas,
    async findCdpReplica(nameOrId, options) {
      const id = asId(nameOrId);
      if (id) return getOne(calls.getCdpReplica(id), ['CdpReplica', 'EntityRef'], parseCdpReplica, options);
      let found: CdpReplica[];
      try {
        // The query service filters on EM's side (§6.6): one small answer on big installs.
        found = await list(calls.queryCdpReplicaByName(nameOrId), ['Ref', 'CdpReplica'], ['Refs', 'CdpReplicas'], parseCdpReplica, options);
      } catch (error) {
        // An EM without the CdpReplica query type answers 400/404/501: list and filter here.
        if (!(error instanceof EmHttpError && [400, 404, 501].includes(error.status ?? 0))) throw error;
        found = await listCdpReplicas(options);
      }
      return byName('CDP replica', nameOrId, found);
    },
    listCdpReplicaVms: (replicaId, options) =>
      list(
        calls.listCdpReplicaVms(replicaId),
        ['Ref', 'CdpReplicaVm', 'VmCdpReplica'],
        ['Refs', 'CdpReplicaVms', 'VmCdpReplicas'],
        (n) => parseCdpReplicaVm(n, replicaId),
        options,
      ),
    async getCdpReplicaVm(replicaId, vmId, options) {
      const call = calls.getCdpReplicaVm(replicaId, vmId);
      const success = await request(call, options);
      return decode(call, success, ['CdpReplicaVm', 'VmCdpReplica', 'EntityRef'], (doc) => parseCdpReplicaVm(doc.body, replicaId));
    },
    async cdpIntervals(replicaId, vmId, start, end, options) {
      const call = calls.cdpIntervals(replicaId, vmId, start, end);
      const success = await request(call, options);
      return decode(call, success, ['CdpReplicaIntervals'], (doc) => parseIntervals(doc.body));
    },
    failoverCdpVm: (replicaId, vmId, spec, options) => task(calls.failoverCdpVm(replicaId, vmId, spec), options),

    listVappCdpReplicas,
    async findVappCdpReplica(nameOrId, options) {
      const id = asId(nameOrId);
      // §12 #8: the vApp resource may answer an entity or a reference whatever we ask.
      if (id) return getOne(calls.getVappCdpReplica(id), ['VAppCdpReplica', 'EntityRef'], parseCdpReplica, options);
      return byName('vApp CDP replica', nameOrId, await listVappCdpReplicas(options));
    },
    async vappIntervals(vappId, start, end, options) {
      const call = calls.vappIntervals(vappId, start, end);
      const success = await request(call, options);
      return decode(call, success, ['CdpReplicaIntervals'], (doc) => parseIntervals(doc.body));
    },
    failoverVapp: (vappId, spec, options) => task(calls.failoverVapp(vappId, spec), options),

    listFailoverPlans,
    async findFailoverPlan(nameOrId, options) {
      const id = asId(nameOrId);
      if (id) return getOne(calls.getFailoverPlan(id), ['EntityRef', 'FailoverPlan'], (n) => parseRef(n, 'failover plan'), options);
      return byName('failover plan', nameOrId, await listFailoverPlans(options));
    },
    startFailoverPlan: (planId, spec, options) => task(calls.startFailoverPlan(planId, spec), options),
    undoFailoverPlan: (planId, options) => task(calls.undoFailoverPlan(planId), options),
    failoverReplicaPoint: (pointId, options) => task(calls.failoverReplicaPoint(pointId), options),
    send: (call, options) => task(call, options),

    getTask: (taskId, options) => task(calls.getTask(taskId), options),
    async listTasks(options) {
      const call = calls.listTasks();
      const success = await request(call, options);
      return decodeList(call, success, ['Task'], ['Tasks', 'Task'], (n) => withEpoch(parseTask(n), success));
    },
    async deleteTask(taskId, options) {
      try {
        await request(calls.deleteTask(taskId), options);
      } catch (error) {
        // 404: the task is already gone (deleted before, or a retried DELETE whose first
        // try was processed). Deleting is idempotent for us: the goal state is reached.
        if (error instanceof EmHttpError && error.status === 404) return;
        throw error;
      }
    },
    listRestoreSessions(options) {
      // Evidence (not yet in the shared spec, which lists only /restoreSessions/{ID}, §4/§6.4):
      // [doc] GET /restoreSessions returns EntityReferences of RestoreSessionReference, Name
      //   `<vm>@<yyyy-mm-dd hh:mm:ss>`, "restore sessions performed on all backup servers"
      //   (helpcenter.veeam.com/docs/vbr/em_rest/restoresessions.html, get_restoresessions.html);
      //   not tied to the logon session, unlike /tasks. GET /query?type=RestoreSession also
      //   exists (filter keys UID, Name, Type, CreationTime…; get_query_restoresession.html):
      //   not used, its filter operators for dates are unverified.
      // [doc] the entity (§6.4) has VmDisplayName, CreationTimeUTC, State, Result.
      // [rec, unverified live] a CDP failover's session (the task's Related link) is listed
      //   there from its start, Working until it ends; the lookup matches VmDisplayName and
      //   CreationTimeUTC at or after the POST (60 s skew), and gives up when none or several match.
      return list(
        { method: 'GET', path: '/restoreSessions', mutating: false },
        ['Ref'],
        ['Refs'],
        (n) => parseRef(n, 'restore session'),
        options,
      );
    },
    async getRestoreSession(href, options) {
      let path = relativePath(href);
      if (!/[?&]format=/i.test(path)) path += `${path.includes('?') ? '&' : '?'}format=Entity`;
      const call: ApiCall = { method: 'GET', path, mutating: false };
      const success = await request(call, options);
      return decode(call, success, ['RestoreSession'], (doc) => parseRestoreSession(doc.body));
    },
  };
}
