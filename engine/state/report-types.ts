// The run report: the single data model behind `--report FILE.json`, the JUnit file, the
// GitHub step summary, the HTML report and `runbook status`. The engine fills it as the
// run goes; writers only render it. Never holds a password, token or Basic header.

import type { MediaType, ParamValue, StepKind, StepOutcome } from '../playbook/types.js';

export const REPORT_SCHEMA = 'cdp-runbook/report@1';

/** A rehearsal's exec step: `not-run` (nothing ran, expectExit assumed) or `stand-in` (its rehearse argv ran). */
export type ExecRehearsal = 'not-run' | 'stand-in';

export type RunOutcome = 'succeeded' | 'failed' | 'rolled-back' | 'interrupted';

/** Where a VM stands after the run: the question the operator must be able to answer. */
export type VmState =
  | 'not-started' // no failover request was sent
  | 'running' // requested, task in flight (only while running / in an interrupted run)
  | 'failed-over' // task Finished with Success="true": the VM IS failed over
  | 'failed' // task Finished with Success="false": not failed over
  | 'stopped' // task deleted while running: not failed over
  | 'unknown'; // request sent but outcome unknown: check by hand

export interface VmReport {
  /** Name as written in the playbook (or resolved from `vms: all`). */
  name: string;
  /** EM id of the CDP replica VM (or vApp), when resolved. */
  id?: string;
  replica: string;
  /** Human description, e.g. `latest application-consistent`, `point in time 2026-…Z`. */
  restorePoint: string;
  state: VmState;
  taskId?: string;
  requestedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  /** EM's Result/Message, or the error text. */
  message?: string;
  restoreSession?: { id: string; state: string; result?: string };
  /** Age of the newest restore point seen by a check step (RPO found by preflight). */
  rpoSeconds?: number;
  retries?: number;
}

export interface StepReport {
  id: string;
  name: string;
  kind: StepKind;
  /** Set for steps inside a `parallel` group. */
  parentId?: string;
  outcome: StepOutcome | 'running' | 'pending';
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  /** Why it was skipped (`when` false, or an earlier failure). */
  skipReason?: string;
  error?: string;
  /** failover / failoverVapp / check steps. */
  vms?: VmReport[];
  /** failoverPlan steps. */
  plan?: { name: string; id?: string; action: 'start' | 'undo'; taskId?: string; message?: string };
  /** exec steps. */
  exec?: { command: string[]; exitCode?: number; output?: string; rehearsed?: ExecRehearsal };
  /** check steps: each finding, passed or not. */
  checks?: { ok: boolean; message: string }[];
  /** approval steps: the decision, once there is one. */
  approval?: ApprovalRecord;
  /** approval steps: decision files the run refused, and why (the gate kept waiting). */
  refusedDecisions?: RefusedDecision[];
}

/**
 * A decision on an approval step. Signed: `by` is the verified principals, `at` the signed
 * time, `signers` the evidence (re-verifiable with `runbook report --verify`). Unsigned:
 * `by` is the decision file's owner from the file system (`claimedBy` what the file said,
 * when different), `at` when the run read it.
 */
export interface ApprovalRecord {
  decision: 'approved' | 'rejected';
  by: string;
  at: string;
  via: string;
  reason?: string;
  /** Absent in journals written before signed approvals: unsigned. */
  signed?: boolean;
  /** When the run read the decision (the run's clock). */
  readAt?: string;
  claimedBy?: string;
  signers?: ApprovalSigner[];
}

export interface ApprovalSigner {
  principal: string;
  /** Key type and SHA256 fingerprint, as ssh-keygen prints it. */
  fingerprint: string;
  signedAt: string;
  readAt: string;
  decision: 'approved' | 'rejected';
  reason?: string;
  /** The exact text signed, and the armored signature over it. */
  payload: string;
  signature: string;
}

export interface RefusedDecision {
  /** When the run read it. */
  at: string;
  file: string;
  why: string;
}

export interface RollbackAction {
  at: string;
  action: 'delete-task' | 'undo-plan' | 'exec-undo' | 'manual';
  stepId: string;
  /** VM, plan or command the action is about. */
  target: string;
  taskId?: string;
  ok: boolean;
  message: string;
}

/** Something the operator must still do by hand (shown first when not empty). */
export interface ManualAction {
  stepId: string;
  target: string;
  reason: 'failed-over' | 'unknown' | 'rollback-failed';
  instruction: string;
}

export interface RunEvent {
  at: string;
  type: 'retry' | 'session-renewal' | 'rollback-start' | 'interrupt' | 'warning';
  stepId?: string;
  message: string;
}

export interface RunReport {
  schema: typeof REPORT_SCHEMA;
  runId: string;
  playbook: { name: string; description?: string; file: string; sha256: string; commit?: string };
  params: Record<string, ParamValue>;
  /**
   * `timeScale` (rehearsals with --simulate): the simulated world ran this many times faster
   * than real time. Every time in the report is then simulated time, starting at the real
   * start instant; durations are what the operation would take against the simulated EM.
   */
  server: { url: string; media: MediaType; simulated: boolean; username?: string; timeScale?: number };
  host: { hostname: string; user: string };
  /** `--resume`: the run this one went on from. */
  resumes?: string;
  startedAt: string;
  endedAt?: string;
  outcome: RunOutcome | 'running';
  exitCode?: number;
  targets: { rtoMs?: number; rpoMs?: number };
  /** Measured time to recover: run start to the last successful failover. */
  achieved: { rtoMs?: number; worstRpoSeconds?: number };
  steps: StepReport[];
  rollback: RollbackAction[];
  manual: ManualAction[];
  events: RunEvent[];
}

/** A report with nothing recorded yet; callers fill in what they know. */
export function blankReport(runId: string, known: Partial<RunReport> = {}): RunReport {
  return {
    schema: REPORT_SCHEMA,
    runId,
    playbook: { name: '', file: '', sha256: '' },
    params: {},
    server: { url: '', media: 'xml', simulated: false },
    host: { hostname: '', user: '' },
    startedAt: '',
    outcome: 'running',
    targets: {},
    achieved: {},
    steps: [],
    rollback: [],
    manual: [],
    events: [],
    ...known,
  };
}
