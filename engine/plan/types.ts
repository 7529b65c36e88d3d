// The Plan: a playbook resolved against Enterprise Manager. Pure data, no functions:
// names are ids, templates are bound, restore-point choices are CdpFailoverStartSpec
// bodies, and every mutating call is spelled out with what rollback would do about it.
// `plan` prints it; `run` executes exactly it (plan, then apply).

import type { ApiCall, CdpFailoverSpec } from '../api/types.js';
import type { Condition, FailurePolicy, MediaType, ParamValue, RetryPolicy, Targets } from '../playbook/types.js';

/** What is known before the run about a step's `when`. */
export type WhenStatus =
  | { known: true; value: boolean } // params/env only: decided at plan time
  | { known: false; text: string }; // depends on step outcomes: "runs if …"

/** What rollback would do about one step's work. */
export interface RollbackNote {
  /** While its task runs: `DELETE /tasks/{taskId}` (stop it). */
  whileRunning?: string;
  /** Once it completed successfully. */
  afterSuccess:
    | { kind: 'none' }
    | { kind: 'call'; call: ApiCall; text: string }
    | { kind: 'exec'; command: string[]; text: string }
    | { kind: 'manual'; text: string };
}

interface PlanStepBase {
  id: string;
  name: string;
  parentId?: string;
  when?: Condition;
  whenStatus: WhenStatus;
  timeoutMs: number;
  retry: RetryPolicy;
  onFailure: FailurePolicy;
  always: boolean;
  rollback: RollbackNote;
}

/** A resolved VM (or vApp). */
export interface TargetRef {
  /** As written in the playbook or listed by `vms: all`. */
  name: string;
  id: string;
  replicaId: string;
  replicaName: string;
}

/** One VM (or vApp) a failover step will request, with its exact call. */
export interface PlanTarget extends TargetRef {
  call: ApiCall;
}

export interface PlanFailoverStep extends PlanStepBase {
  kind: 'failover';
  replica: { name: string; id: string };
  vms: PlanTarget[];
  spec: CdpFailoverSpec;
  /** e.g. `latest application-consistent`. */
  restorePoint: string;
  /** Effective: the step's own concurrency, capped by `--concurrency`. */
  concurrency: number;
}

export interface PlanFailoverVappStep extends PlanStepBase {
  kind: 'failoverVapp';
  vapp: PlanTarget;
  spec: CdpFailoverSpec;
  restorePoint: string;
}

export interface PlanFailoverPlanStep extends PlanStepBase {
  kind: 'failoverPlan';
  plan: { name: string; id: string };
  action: 'start' | 'undo';
  call: ApiCall;
}

/** One finding of a check step (computed at plan time and again at run time). */
export interface CheckFinding {
  ok: boolean;
  message: string;
  /** VM the finding is about, with the age of its newest restore point. */
  vm?: string;
  rpoSeconds?: number;
}

export interface PlanCheckStep extends PlanStepBase {
  kind: 'check';
  /** Resolved targets: VMs (by replica) and/or a vApp; failover plans are existence only. */
  vms: TargetRef[];
  vapp?: TargetRef;
  failoverPlan?: { name: string; id: string };
  maxRpoMs?: number;
  appConsistentWithinMs?: number;
  /** Filled by `plan` (preflight); `run` evaluates again when the step runs. */
  findings?: CheckFinding[];
}

export interface PlanWaitStep extends PlanStepBase {
  kind: 'wait';
  durationMs: number;
}

export interface PlanApprovalStep extends PlanStepBase {
  kind: 'approval';
  /** Params bound. */
  message: string;
  /** Signed approvals: who may sign (absent: anyone in the allowed-signers file). */
  signers?: string[];
  /** Distinct signers an approval needs. */
  quorum: number;
}

export interface PlanExecStep extends PlanStepBase {
  kind: 'exec';
  command: string[];
  shell: boolean;
  env: Record<string, string>;
  /** Absolute working directory (relative paths are taken from the playbook's folder). */
  cwd: string;
  expectExit: number;
  undo?: string[];
  /** In a rehearsal: `run` for real, an argv stand-in (params bound), absent: not run. */
  rehearse?: 'run' | string[];
}

export interface PlanParallelStep extends PlanStepBase {
  kind: 'parallel';
  steps: PlanStep[];
}

export type PlanStep =
  | PlanFailoverStep
  | PlanFailoverVappStep
  | PlanFailoverPlanStep
  | PlanCheckStep
  | PlanWaitStep
  | PlanApprovalStep
  | PlanExecStep
  | PlanParallelStep;

export interface Plan {
  /** `approvers`: decisions must be signed by a key in that allowed-signers file (absolute). */
  playbook: { name: string; description?: string; file: string; approvers?: { allowedSigners: string } };
  params: Record<string, ParamValue>;
  /** `timeScale`: simulated runs only, how much faster than real time the simulated world runs. */
  server: { url: string; media: MediaType; simulated: boolean; username?: string; timeScale?: number };
  pollIntervalMs: number;
  /**
   * `--concurrency N`: failovers in flight across the whole run, shared by the steps of a
   * parallel group (each step's own `concurrency` still bounds that step). Absent: no cap
   * beyond the steps' own.
   */
  maxInFlight?: number;
  /** The playbook's default retry policy: used for the shared task poller. */
  retry: RetryPolicy;
  targets: Targets;
  steps: PlanStep[];
  /** Names that did not resolve, failed checks, bad datetimes: preflight fails when not empty. */
  problems: string[];
  /** Worth saying, not blocking. */
  warnings: string[];
  /** `run --resume`: what an earlier run already did, left out of this one (plan/resume.ts). */
  resumed?: Resumed;
}

export interface Resumed {
  runId: string;
  /** Steps not run again, with the run that did them (that one, or a run it resumed). */
  steps: Record<string, string>;
  /** VMs left out of the failover steps that still run, by step id. */
  vms: Record<string, string[]>;
}

/** Every step, depth first (parallel groups before their children). */
export function flattenSteps(steps: PlanStep[]): PlanStep[] {
  const out: PlanStep[] = [];
  for (const s of steps) {
    out.push(s);
    if (s.kind === 'parallel') out.push(...flattenSteps(s.steps));
  }
  return out;
}
