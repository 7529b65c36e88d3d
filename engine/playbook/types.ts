// The normalized playbook: what the engine works on after load → schema → defaults →
// rules. Every optional field of the written YAML has been filled from DEFAULTS, every
// duration is milliseconds. Strings marked "template" may still contain `${params.x}` or
// `${env.X}` references; `plan/` binds them at plan time (params come from the command
// line). The written form is described by schemas/playbook.schema.json; a test keeps the
// two from drifting apart.

import type { SourcePosition } from '../errors.js';

/** A value given literally or read from an environment variable. */
export type ValueRef = { value: string } | { env: string };
/** A secret: only ever by reference, never literal in a playbook. */
export type SecretRef = { env: string } | { file: string };

export type MediaType = 'xml' | 'json';
export type FailurePolicy = 'abort' | 'continue' | 'rollback';
export type StepOutcome = 'succeeded' | 'failed' | 'skipped';

export interface ServerConfig {
  url?: ValueRef;
  username?: ValueRef;
  password?: SecretRef;
  /** @default 'xml' */
  media: MediaType;
  tls: {
    /** PEM file with the CA (or the self-signed certificate) to trust; relative to the playbook. */
    caFile?: string;
    /** Explicit opt-out of certificate verification. @default false */
    insecureSkipVerify: boolean;
  };
  /** Per-request timeout. @default 30s */
  requestTimeoutMs: number;
}

export type ParamType = 'string' | 'number' | 'boolean' | 'datetime' | 'duration';
export type ParamValue = string | number | boolean;

export interface ParamDef {
  type: ParamType;
  description?: string;
  /** Absent: the param is required at run time (`--param name=value`). */
  default?: ParamValue;
  /** Allowed values (string params). */
  enum?: string[];
}

export interface RetryPolicy {
  /** Total attempts including the first. @default 3 */
  attempts: number;
  /** First backoff delay; doubles each attempt, with jitter. @default 2s */
  backoffMs: number;
  /** Cap on a single backoff delay. @default 30s */
  maxBackoffMs: number;
}

export interface Defaults {
  /** @default 30m */
  timeoutMs: number;
  /** @default 5s */
  pollIntervalMs: number;
  retry: RetryPolicy;
  /** VMs in flight at once inside a failover step. @default 10 */
  concurrency: number;
  /** @default 'abort' */
  onFailure: FailurePolicy;
}

export interface Targets {
  rtoMs?: number;
  rpoMs?: number;
}

export type Condition =
  | { step: string; is: StepOutcome[] }
  | { param: string; equals?: ParamValue; in?: ParamValue[] }
  | { env: string; equals?: string; in?: string[]; set?: boolean }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

/**
 * How to choose the state to fail over to; maps onto CdpFailoverStartSpec (API spec §6.2).
 * `at` is a template that must bind to an ISO 8601 UTC datetime.
 */
export type RestorePoint =
  | { kind: 'latest' } // RestoreCurrent
  | { kind: 'latest-app-consistent' } // RestoreCurrentVss
  | { kind: 'interval'; at: string } // RestoreAtInterval
  | { kind: 'point-in-time'; at: string }; // RestoreAtPointinTime

export interface StepCommon {
  id: string;
  /** Display name. @default id */
  name: string;
  when?: Condition;
  timeoutMs: number;
  retry: RetryPolicy;
  onFailure: FailurePolicy;
  /** Run even after an earlier failure (notifications, cleanup). @default false */
  always: boolean;
  /** Where the step starts in the YAML, for messages. */
  source?: SourcePosition;
}

export interface FailoverStep extends StepCommon {
  kind: 'failover';
  /** CDP replica name or id (template). */
  cdpReplica: string;
  /** VM names or ids (templates), or every VM of the replica. */
  vms: string[] | 'all';
  restorePoint: RestorePoint;
  concurrency: number;
}

export interface FailoverVappStep extends StepCommon {
  kind: 'failoverVapp';
  /** vApp CDP replica name or id (template). */
  vapp: string;
  restorePoint: RestorePoint;
}

export interface FailoverPlanStep extends StepCommon {
  kind: 'failoverPlan';
  /** Failover plan name or id (template). */
  plan: string;
  action: 'start' | 'undo';
  /** start only: latest points before this datetime (template) instead of now. */
  before?: string;
}

export interface CheckStep extends StepCommon {
  kind: 'check';
  cdpReplica?: string;
  vms?: string[] | 'all';
  vapp?: string;
  failoverPlan?: string;
  /** RPO guard: the newest restore point of every checked VM is no older than this. */
  maxRpoMs?: number;
  /** An application-consistent point exists within this window before now. */
  appConsistentWithinMs?: number;
}

export interface WaitStep extends StepCommon {
  kind: 'wait';
  durationMs: number;
}

/** A manual gate: the run waits until an operator approves (or rejects) it. */
export interface ApprovalStep extends StepCommon {
  kind: 'approval';
  /** What to check before approving (a template). */
  message: string;
  /** Principals of the allowed-signers file who may sign; absent: any principal in it. */
  signers?: string[];
  /** Distinct signers an approval needs (one allowed signer's rejection is enough). @default 1 */
  quorum: number;
}

/** Signed approvals: decisions must be signed by a key in this OpenSSH allowed-signers file. */
export interface Approvers {
  /** Absolute path (written relative to the playbook). */
  allowedSigners: string;
}

export interface ExecStep extends StepCommon {
  kind: 'exec';
  /** argv (templates); run through a shell only when `shell` is true. */
  command: string[];
  shell: boolean;
  env: Record<string, string>;
  /** Working directory, relative to the playbook. */
  cwd?: string;
  /** @default 0 */
  expectExit: number;
  /** Run by rollback when this step succeeded. */
  undo?: string[];
  /** In a rehearsal: `run` runs it for real, an argv runs that stand-in; absent, nothing runs. */
  rehearse?: 'run' | string[];
}

export interface ParallelStep extends StepCommon {
  kind: 'parallel';
  steps: Step[];
}

export type Step = FailoverStep | FailoverVappStep | FailoverPlanStep | CheckStep | WaitStep | ApprovalStep | ExecStep | ParallelStep;

export type StepKind = Step['kind'];

export interface Playbook {
  version: 1;
  name: string;
  description?: string;
  /** Absolute path of the file it was loaded from. */
  file: string;
  server: ServerConfig;
  params: Record<string, ParamDef>;
  defaults: Defaults;
  targets: Targets;
  /** Absent: decisions are unsigned (the decision file's owner is recorded). */
  approvers?: Approvers;
  steps: Step[];
}
