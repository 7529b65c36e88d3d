// The EM client's public contract: what the engine may ask of Enterprise Manager.
// Shapes follow ../shared/veeam-em-api.md; ids are always strings.

import type { Clock } from '../clock.js';
import type { MediaType } from '../playbook/types.js';

export interface Link {
  rel: string;
  href: string;
  type?: string;
  name?: string;
}

/** An `EntityRef` / `Ref` (reference representation). */
export interface EntityRef {
  /** The last path segment of `href` (the id EM uses in URLs). */
  id: string;
  name: string;
  uid?: string;
  type: string;
  href: string;
  links: Link[];
}

export interface CdpReplica extends EntityRef {
  backupServer?: string;
  policyUid?: string;
  policyName?: string;
}

export interface CdpReplicaVm extends EntityRef {
  replicaId: string;
  vmRef?: string;
  backupServer?: string;
}

export interface FailoverPlan extends EntityRef {}

export type TaskState = 'Running' | 'OperationFinished' | 'Finished';

export interface Task {
  taskId: string;
  state: TaskState;
  operation: string;
  /** Present once the task is no longer Running (key completion on `state` only). */
  result?: { success: boolean; message?: string };
  /** href of the `Related` RestoreSession link, when the task has one. */
  restoreSessionHref?: string;
  href: string;
  /**
   * The logon session (EmClient.sessionEpoch) EM answered this under: for a failover
   * POST, the session that owns the task. Absent from the low-level `call`.
   */
  sessionEpoch?: number;
}

export interface RestoreSession {
  id: string;
  name?: string;
  /** Starting | Working | Stopping | Stopped */
  state: string;
  /** Success | Warning | Failed (or absent while working) */
  result?: string;
  vmDisplayName?: string;
  /** CreationTimeUTC, as EM wrote it. */
  createdAt?: string;
}

export interface CdpInterval {
  start: string;
  end: string;
  rpoSeconds: number;
  type: string;
}

export interface CdpRestorePoint {
  id: string;
  date: string;
  appConsistent: boolean;
}

export interface CdpIntervals {
  start: string;
  end: string;
  hasApplicationConsistentState: boolean;
  intervals: CdpInterval[];
  restorePoints: CdpRestorePoint[];
}

/** CdpFailoverStartSpec (§6.2). Datetimes are ISO 8601 UTC. */
export interface CdpFailoverSpec {
  restoreCurrent: boolean;
  restoreCurrentVss: boolean;
  restoreAtInterval?: string;
  restoreAtPointInTime?: string;
}

/** FailoverPlanManagementSpec (§8): either start now or at the latest points before a date. */
export type FailoverPlanStartSpec = { startNow: true } | { startDate: string };

/** What a request is, for plans and for the never-twice rule. */
export interface ApiCall {
  method: 'GET' | 'POST' | 'DELETE';
  /** Relative to the API root, starting with `/`, query included. */
  path: string;
  /** Body kind and content, encoded by the client in the chosen media type. */
  body?:
    | { kind: 'CdpFailoverStartSpec'; spec: CdpFailoverSpec }
    | { kind: 'FailoverPlanManagementSpec'; spec: FailoverPlanStartSpec }
    | { kind: 'CdpReplicaIntervalsSpec'; start: string; end: string };
  /** Failover, plan start/undo: re-sent only when EM demonstrably did not process it. */
  mutating: boolean;
}

export type ClientEvent =
  | { type: 'logon'; reason: 'initial' | 'expired' | 'idle' }
  /** `error` set when the logout request failed (logout never throws). */
  | { type: 'logout'; error?: string }
  | { type: 'retry'; method: string; path: string; attempt: number; delayMs: number; reason: string }
  | { type: 'request'; method: string; path: string; status: number; durationMs: number }
  /** A request still without an answer after `waitedMs` (see ClientOptions.waitNoticeMs). */
  | { type: 'waiting'; method: string; path: string; host: string; waitedMs: number };

export interface ClientOptions {
  /** `https://em:9398`, `https://em:9398/api`, with or without trailing slash. */
  url: string;
  username: string;
  password: string;
  /** @default 'xml' */
  media?: MediaType;
  /** Per-request timeout. @default 30000 */
  timeoutMs?: number;
  /**
   * The clock of that timeout. Real time by default: a FakeClock in auto mode leaps ahead
   * while a real socket waits, which would time out every request. Tests whose fetch is
   * in-process pass their FakeClock, so a hung request times out in virtual time, the same
   * way on every run. @default systemClock
   */
  deadlineClock?: Clock;
  /** Emit a `waiting` event every this many ms while a request has no answer. @default off */
  waitNoticeMs?: number;
  /**
   * Largest response body read, in bytes. EM's answers are kilobytes; past this the body
   * is not read further and the call fails with EmMalformedResponseError (for a failover
   * POST EM accepted: OutcomeUnknownError). @default 16777216 (16 MiB)
   */
  maxBodyBytes?: number;
  tls?: { caFile?: string; ca?: string; insecureSkipVerify?: boolean };
  retry?: {
    /** Attempts for idempotent requests, including the first. @default 5 */
    attempts?: number;
    /** @default 500 */
    minDelayMs?: number;
    /** @default 10000 */
    maxDelayMs?: number;
    /** Cap on an honoured Retry-After. @default 30000 */
    maxRetryAfterMs?: number;
    /** Give up retrying after this long in total. @default 120000 */
    maxTotalMs?: number;
  };
  /** Log on again proactively after this much idle time (EM expires at 15 min). @default 600000 */
  idleRenewMs?: number;
  /** Injected for tests: the simulator's handler works here with no sockets. */
  fetch?: typeof fetch;
  clock?: Clock;
  /** Injected randomness for jitter. @default Math.random */
  random?: () => number;
  onEvent?: (event: ClientEvent) => void;
}

/** Per-call options. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Named in errors, e.g. `VM "erp-db01"`. */
  subject?: string;
}

export interface EmClient {
  readonly media: MediaType;
  /**
   * Which logon session the client is on: 0 before the first logon, +1 on every
   * successful logon (initial, idle renewal, renewal after a 401).
   *
   * Tasks belong to the logon session that started them (API spec §5): `/tasks` lists
   * only the current session's tasks, and after a new logon `GET`/`DELETE /tasks/{id}`
   * of an older session's task answer 404 whatever its state. So a 404 for a task whose
   * `Task.sessionEpoch` is older than `sessionEpoch` means "unreachable from this
   * session" (outcome unknown: check EM), never "gone" or "stopped".
   */
  readonly sessionEpoch: number;
  /** Logs on if there is no session yet (also done lazily by the first call). */
  logon(options?: CallOptions): Promise<void>;
  /** Deletes the logon session; never throws (a failed logout is reported as an event). */
  logout(): Promise<void>;

  /** The exact encoded request body and headers for a call, for `plan` output. */
  encode(call: ApiCall): { contentType?: string; body?: string };
  /**
   * Low-level: perform a call with the client's session, retry and codec rules. Resolves
   * with the parsed `Task` when EM answered a Task, else the decoded body (attributes and
   * children as properties, no root wrapper), or undefined for an empty body.
   */
  call<T = unknown>(call: ApiCall, options?: CallOptions): Promise<T>;

  listCdpReplicas(options?: CallOptions): Promise<CdpReplica[]>;
  /** By name (query service) or by id. Undefined when there is no such replica. */
  findCdpReplica(nameOrId: string, options?: CallOptions): Promise<CdpReplica | undefined>;
  listCdpReplicaVms(replicaId: string, options?: CallOptions): Promise<CdpReplicaVm[]>;
  getCdpReplicaVm(replicaId: string, vmId: string, options?: CallOptions): Promise<CdpReplicaVm>;
  cdpIntervals(replicaId: string, vmId: string, start: string, end: string, options?: CallOptions): Promise<CdpIntervals>;
  failoverCdpVm(replicaId: string, vmId: string, spec: CdpFailoverSpec, options?: CallOptions): Promise<Task>;

  listVappCdpReplicas(options?: CallOptions): Promise<CdpReplica[]>;
  findVappCdpReplica(nameOrId: string, options?: CallOptions): Promise<CdpReplica | undefined>;
  vappIntervals(vappId: string, start: string, end: string, options?: CallOptions): Promise<CdpIntervals>;
  failoverVapp(vappId: string, spec: CdpFailoverSpec, options?: CallOptions): Promise<Task>;

  listFailoverPlans(options?: CallOptions): Promise<FailoverPlan[]>;
  findFailoverPlan(nameOrId: string, options?: CallOptions): Promise<FailoverPlan | undefined>;
  startFailoverPlan(planId: string, spec: FailoverPlanStartSpec, options?: CallOptions): Promise<Task>;
  undoFailoverPlan(planId: string, options?: CallOptions): Promise<Task>;
  failoverReplicaPoint(pointId: string, options?: CallOptions): Promise<Task>;
  /** Sends a plan's mutating call exactly as built (`calls.*`), answered by a Task: the plan is the request. */
  send(call: ApiCall, options?: CallOptions): Promise<Task>;

  /** A 404 is "gone" only for a task of the current session (see `sessionEpoch`). */
  getTask(taskId: string, options?: CallOptions): Promise<Task>;
  /** Every task of this logon session (one request: the poller's batch read). */
  listTasks(options?: CallOptions): Promise<Task[]>;
  /**
   * Resolves on 404 too (already gone), which holds only for a task of the current
   * session: for an older session's task a 404 proves nothing (see `sessionEpoch`).
   */
  deleteTask(taskId: string, options?: CallOptions): Promise<void>;
  getRestoreSession(href: string, options?: CallOptions): Promise<RestoreSession>;
  /** GET /restoreSessions: references (Name `<vm>@<yyyy-mm-dd hh:mm:ss>`) of every restore session EM knows. */
  listRestoreSessions(options?: CallOptions): Promise<EntityRef[]>;
}
