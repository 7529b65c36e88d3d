// The playbook as the user writes it (YAML after parsing), before defaults and
// normalization. schemas/playbook.schema.json describes the same shape; the key lists
// below are checked against the schema by test/playbook-schema.test.ts, and the type
// checks under them make tsc fail when an interface gains a key the lists lack.

export type WrittenValueRef = string | { env: string };
export type WrittenSecretRef = { env: string } | { file: string };
export type WrittenDuration = string;
export type WrittenOutcome = 'succeeded' | 'failed' | 'skipped';
export type WrittenScalar = string | number | boolean;

export interface WrittenRetry {
  attempts?: number;
  backoff?: WrittenDuration;
  maxBackoff?: WrittenDuration;
}

export interface WrittenServer {
  url?: WrittenValueRef;
  username?: WrittenValueRef;
  password?: WrittenSecretRef;
  media?: 'xml' | 'json';
  tls?: { caFile?: string; insecureSkipVerify?: boolean };
  timeout?: WrittenDuration;
}

export interface WrittenParam {
  type: 'string' | 'number' | 'boolean' | 'datetime' | 'duration';
  description?: string;
  default?: WrittenScalar;
  enum?: string[];
}

export interface WrittenDefaults {
  timeout?: WrittenDuration;
  pollInterval?: WrittenDuration;
  retry?: WrittenRetry;
  concurrency?: number;
  onFailure?: 'abort' | 'continue' | 'rollback';
}

export type WrittenCondition =
  | { step: string; is?: WrittenOutcome | WrittenOutcome[] }
  | { param: string; equals?: WrittenScalar; in?: WrittenScalar[] }
  | { env: string; equals?: string; in?: string[]; set?: boolean }
  | { all: WrittenCondition[] }
  | { any: WrittenCondition[] }
  | { not: WrittenCondition };

export type WrittenRestorePoint = 'latest' | 'latest-app-consistent' | { interval: string } | { pointInTime: string };

export interface WrittenStepCommon {
  id: string;
  name?: string;
  when?: WrittenCondition;
  timeout?: WrittenDuration;
  retry?: WrittenRetry;
  onFailure?: 'abort' | 'continue' | 'rollback';
  always?: boolean;
}

/** The body under each kind key. */
export interface WrittenStepBodies {
  failover: { cdpReplica: string; vms: string[] | 'all'; restorePoint?: WrittenRestorePoint; concurrency?: number };
  failoverVapp: { vapp: string; restorePoint?: WrittenRestorePoint };
  failoverPlan: { plan: string; action: 'start' | 'undo'; before?: string };
  check: {
    cdpReplica?: string;
    vms?: string[] | 'all';
    vapp?: string;
    failoverPlan?: string;
    maxRpo?: WrittenDuration;
    appConsistentWithin?: WrittenDuration;
  };
  wait: WrittenDuration;
  /** What the operator confirms; the run waits for `runbook approve` (or `run --approve`). */
  approval: string | WrittenApproval;
  exec: {
    command: string[];
    shell?: boolean;
    env?: Record<string, string>;
    cwd?: string;
    expectExit?: number;
    undo?: string[];
    /** In a rehearsal: `run` for real, or an argv stand-in; absent, the step is not run. */
    rehearse?: 'run' | string[];
  };
  parallel: WrittenStep[];
}

/** The object form of `approval:`: who may sign, and how many distinct signers it needs. */
export interface WrittenApproval {
  message: string;
  signers?: string[];
  quorum?: number;
}

/** Who can decide approval steps: an OpenSSH allowed-signers file in the playbook's repo. */
export interface WrittenApprovers {
  allowedSigners: string;
}

export type WrittenStepKind = keyof WrittenStepBodies;
export type WrittenStep = {
  [K in WrittenStepKind]: WrittenStepCommon & { [P in K]: WrittenStepBodies[K] };
}[WrittenStepKind];

export interface WrittenPlaybook {
  version: 1;
  name: string;
  description?: string;
  server?: WrittenServer;
  targets?: { rto?: WrittenDuration; rpo?: WrittenDuration };
  params?: Record<string, WrittenParam>;
  defaults?: WrittenDefaults;
  approvers?: WrittenApprovers;
  steps: WrittenStep[];
}

// ---------------------------------------------------------------------------
// Key lists, compared with the schema by a test. `Exhaustive` fails to compile when a
// list misses a key of its interface; `satisfies` fails when it names one that is not there.

type Exhaustive<T, L extends readonly (keyof T)[]> = [Exclude<keyof T, L[number]>] extends [never] ? L : never;
const keys =
  <T>() =>
  <const L extends readonly (keyof T)[]>(list: Exhaustive<T, L>): L =>
    list;

export const STEP_COMMON_KEYS = keys<WrittenStepCommon>()(['id', 'name', 'when', 'timeout', 'retry', 'onFailure', 'always']);
export const STEP_KINDS = keys<WrittenStepBodies>()([
  'failover',
  'failoverVapp',
  'failoverPlan',
  'check',
  'wait',
  'approval',
  'exec',
  'parallel',
]);

/** Keys of each object-bodied kind (wait, approval and parallel have no keys of their own). */
export const STEP_BODY_KEYS = {
  failover: keys<WrittenStepBodies['failover']>()(['cdpReplica', 'vms', 'restorePoint', 'concurrency']),
  failoverVapp: keys<WrittenStepBodies['failoverVapp']>()(['vapp', 'restorePoint']),
  failoverPlan: keys<WrittenStepBodies['failoverPlan']>()(['plan', 'action', 'before']),
  check: keys<WrittenStepBodies['check']>()(['cdpReplica', 'vms', 'vapp', 'failoverPlan', 'maxRpo', 'appConsistentWithin']),
  exec: keys<WrittenStepBodies['exec']>()(['command', 'shell', 'env', 'cwd', 'expectExit', 'undo', 'rehearse']),
} as const;

export const TOP_LEVEL_KEYS = keys<WrittenPlaybook>()([
  'version',
  'name',
  'description',
  'server',
  'targets',
  'params',
  'defaults',
  'approvers',
  'steps',
]);
export const APPROVAL_KEYS = keys<WrittenApproval>()(['message', 'signers', 'quorum']);
export const APPROVERS_KEYS = keys<WrittenApprovers>()(['allowedSigners']);
export const SERVER_KEYS = keys<WrittenServer>()(['url', 'username', 'password', 'media', 'tls', 'timeout']);
export const PARAM_KEYS = keys<WrittenParam>()(['type', 'description', 'default', 'enum']);
export const DEFAULTS_KEYS = keys<WrittenDefaults>()(['timeout', 'pollInterval', 'retry', 'concurrency', 'onFailure']);
export const RETRY_KEYS = keys<WrittenRetry>()(['attempts', 'backoff', 'maxBackoff']);
