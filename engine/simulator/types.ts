// The simulator's public types: the inventory as written (YAML/JSON, checked against
// schemas/inventory.schema.json), fault specs, the request log and the read-only state view.

import type { Clock } from '../clock.js';
import type { Reply, SimRequest } from './reply.js';

/** A duration: milliseconds as a number, or a string such as `500ms`, `15s`, `2m`, `1h`, `1d`. */
export type DurationInput = number | string;

export type Role = 'Portal Administrator' | 'Portal User' | 'Restore Operator';

/** How a failover of one VM (or vApp, plan, replica point) behaves. */
export interface Behaviour {
  /** Time from the 202 to the end of the operation. @default 3s */
  failoverDuration?: DurationInput;
  /** The task finishes with Success=false and this message. */
  fail?: string;
  /** The task stays Running forever (until deleted). */
  neverFinish?: boolean;
  /** After the operation, the task stays OperationFinished this long before Finished. @default 0 */
  operationFinishedFor?: DurationInput;
}

/** Generated restore-point history of a CDP VM, relative to the clock. */
export interface HistorySpec {
  /** The newest restorable state is this old. @default 15s */
  replicationLag?: DurationInput;
  /** Long-term application-consistent points every… (`0`: none). @default 1h */
  appConsistentEvery?: DurationInput;
  /** How far back the continuous history reaches. @default 24h */
  history?: DurationInput;
}

export interface WrittenVm extends Behaviour {
  name: string;
  id?: string;
  /** e.g. `urn:VMware:Vm:<vcenter-guid>.vm-19`; derived when absent. */
  vmRef?: string;
  /** The scenario starts with this VM already failed over. */
  failedOver?: boolean;
  history?: HistorySpec;
}

export interface WrittenCdpReplica {
  /** The CDP policy name (a CDP replica is named after its policy). */
  name: string;
  id?: string;
  policyId?: string;
  backupServer?: string;
  repository?: string;
  history?: HistorySpec;
  behaviour?: Behaviour;
  vms: Array<WrittenVm | string>;
}

export interface WrittenVApp extends Behaviour {
  name: string;
  id?: string;
  policyName?: string;
  policyId?: string;
  backupServer?: string;
  failedOver?: boolean;
  history?: HistorySpec;
  vms: Array<WrittenVm | string>;
}

export interface WrittenPlan extends Behaviour {
  name: string;
  id?: string;
  description?: string;
  backupServer?: string;
  /** Names of the VMs the plan fails over. */
  vms: string[];
  /** The scenario starts with the plan in failover. */
  active?: boolean;
}

export interface WrittenReplicaPoint extends Behaviour {
  /** The replicated VM's name. */
  vm: string;
  id?: string;
  backupServer?: string;
  /** @default the clock's start minus 1h */
  createdAt?: string;
}

export interface WrittenUser {
  name: string;
  password: string;
  role: Role;
}

export interface Inventory {
  backupServers?: Array<{ name: string; id?: string }>;
  /** Defaults for every VM, vApp, plan and replica point. */
  defaults?: Behaviour & { history?: HistorySpec };
  cdpReplicas?: WrittenCdpReplica[];
  vApps?: WrittenVApp[];
  failoverPlans?: WrittenPlan[];
  vmReplicaPoints?: WrittenReplicaPoint[];
  users?: WrittenUser[];
  faults?: FaultSpec[];
}

export type FaultKind =
  | 'status' // answer `status` (500, 503, …) with an EM Error body, without processing
  | 'reset-before' // connection reset before processing: state unchanged
  | 'reset-after' // processed, then the connection is reset: state changed, response lost
  | 'hang' // never answers (until the request's signal aborts)
  | 'latency' // answer after `delay`
  | 'malformed' // a body that is not valid XML/JSON
  | 'truncate' // the body cut in half
  | 'bom' // a UTF-8 BOM before the body
  | 'expire-session' // the caller's session expires just before this request
  | 'restart' // EM restarts just before this request: every session ends, every task is forgotten (operations go on)
  | 'task-fail' // the task this request creates fails with `message`
  | 'task-never-finish' // the task this request creates never finishes
  | 'task-operation-finished'; // the task this request creates stays OperationFinished for `delay`

/** One fault. Matching: `method` (any when absent) and `path` (a regex tested against the
 * path relative to /api plus `?query`, e.g. `/cdpReplicas/…/vms/…?action=failover`). Which
 * matching requests it hits: `nth` (1-based, among matching requests), else `rate`
 * (probability, seeded), else every one; `times` caps how many times it fires. */
export interface FaultSpec {
  kind: FaultKind;
  method?: string;
  path?: string;
  nth?: number | number[];
  rate?: number;
  times?: number;
  /** `status` only. @default 503 */
  status?: number;
  /** `status`/`task-fail`: the message. */
  message?: string;
  /** `latency`/`task-operation-finished`. */
  delay?: DurationInput;
  /** Only from this instant on (ISO datetime). */
  from?: string;
}

export interface RequestLogEntry {
  seq: number;
  /** ISO time on the simulator's clock when the request arrived. */
  at: string;
  method: string;
  /** Path relative to `/api` (`/` for the root, `/cdpReplicas/…`); other paths as sent. */
  path: string;
  /** The raw query string without `?` ('' when none). */
  query: string;
  /** Stable label of the logon session (`s1`, `s2`, …), never the token. */
  session?: string;
  /** What a body said, without secrets, e.g. `CdpFailoverStartSpec RestoreCurrent=true`. */
  bodySummary?: string;
  /** The status sent, or the one produced before a `reset-after`; 0 when none was produced. */
  status: number;
  /** The fault kind applied to this request, if any. */
  fault?: FaultKind;
  /** The task this request created, if any. */
  taskId?: string;
  /** DELETE /tasks/{id}: the state the task was in when EM got the DELETE (only Running is a stop, §5.2). */
  deletedState?: 'Running' | 'OperationFinished' | 'Finished';
}

export interface SimulatorOptions {
  inventory: Inventory;
  /** @default systemClock */
  clock?: Clock;
  /** Seed for faults with `rate` and for generated GUIDs. @default 1 */
  seed?: number;
  /** Sliding idle timeout of a logon session. @default 15 min */
  sessionIdleMs?: number;
  /** Base for Href values. @default 'https://localhost:9398' */
  baseUrl?: string;
  faults?: FaultSpec[];
  /** Called with each request log entry as it is recorded (the `sim` command prints them). */
  onRequest?: (entry: RequestLogEntry) => void;
  /** Keep only the newest N log entries. @default unlimited */
  maxLogEntries?: number;
}

export interface SimVmState {
  id: string;
  name: string;
  replica: string;
  failedOver: boolean;
}

export interface SimTaskState {
  taskId: string;
  session: string;
  operation: string;
  state: 'Running' | 'OperationFinished' | 'Finished';
  success?: boolean;
  message?: string;
  deleted: boolean;
  /** What it acts on, e.g. `vm:app-db01`, `vapp:erp`, `plan:DR plan`. */
  subject: string;
}

/** A read-only snapshot for tests (computed at read time on the simulator's clock). */
export interface SimState {
  vms: SimVmState[];
  vApps: Array<{ id: string; name: string; failedOver: boolean }>;
  plans: Array<{ id: string; name: string; active: boolean }>;
  replicaPoints: Array<{ id: string; vm: string; failedOver: boolean }>;
  tasks: SimTaskState[];
  /** Sessions alive now. */
  sessions: number;
  /** Successful logons so far. */
  logons: number;
  /** Failover operations that actually completed, per subject (`vm:<name>` …). */
  failovers: Record<string, number>;
}

export interface Simulator {
  /** One request, answered as plain data (the server's path: no fetch objects). */
  serve(request: SimRequest): Promise<Reply>;
  /** The same, as fetch Request → Response (tests, in-process runs). */
  handle(request: Request): Promise<Response>;
  fetch: typeof fetch;
  readonly log: RequestLogEntry[];
  readonly state: SimState;
  readonly baseUrl: string;
  setBaseUrl(url: string): void;
}
