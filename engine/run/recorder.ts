// The RunRecorder: the one place the executor reports what happens. Each fact is a
// JournalEntry: appended to an optional journal sink (written at once in the real one,
// fsynced by group commit: the executor awaits `durable()` before each mutating request,
// so its intent is on disk first) and folded into the live RunReport by applyEntry, the
// same fold `runbook status` and `runbook report` run over the journal file. It forwards
// ExecutorEvents to listeners (the progress view). Never sees a secret.

import type { ApiCall } from '../api/types.js';
import type { Clock } from '../clock.js';
import type { StepOutcome } from '../playbook/types.js';
import { flattenSteps, type Plan, type PlanStep } from '../plan/types.js';
import { applyEntry } from '../state/apply-entry.js';
import { findVm, foldIndex } from '../state/fold-index.js';
import type { JournalEntry } from '../state/journal-types.js';
import type { ExecutorEvent, ExecutorListener, LiveVmState, PlannedRollback, RunEventKind } from '../state/events.js';
import {
  blankReport,
  type ApprovalRecord,
  type ExecRehearsal,
  type ManualAction,
  type RollbackAction,
  type RunOutcome,
  type RunReport,
  type StepReport,
  type VmReport,
  type VmState,
} from '../state/report-types.js';

/** Where journal lines go (engine/state/journal.ts in production; an array in tests). */
export interface JournalSink {
  append(entry: JournalEntry): void;
  /** Resolves once every line appended so far is on disk (absent: append is already durable). */
  durable?(): Promise<void>;
}

/** Distributes Omit over the JournalEntry union, so each variant keeps its own fields. */
type EntryBody = JournalEntry extends infer E ? (E extends unknown ? Omit<E, 'at'> : never) : never;

export interface RecorderInit {
  runId: string;
  plan: Plan;
  playbookSha256: string;
  commit?: string;
  host: { hostname: string; user: string };
  pid: number;
  clock: Clock;
  journal?: JournalSink;
}

const LIVE_TO_REPORT: Record<LiveVmState, VmState | undefined> = {
  queued: 'not-started',
  'not-started': 'not-started',
  requested: 'running',
  running: 'running',
  finishing: 'running',
  done: 'failed-over',
  failed: 'failed',
  unknown: 'unknown',
  stopped: 'stopped',
};

/** Live states the request lines already tell (or that change nothing the report shows). */
const TOLD_BY_REQUESTS = new Set<LiveVmState>(['queued', 'requested', 'running', 'finishing']);

export class RunRecorder {
  readonly report: RunReport;
  private readonly listeners = new Set<ExecutorListener>();
  private readonly clock: Clock;
  private readonly journal: JournalSink | undefined;

  constructor(init: RecorderInit) {
    this.clock = init.clock;
    this.journal = init.journal;
    const { plan } = init;
    this.report = blankReport(init.runId);
    this.write({
      type: 'run-start',
      runId: init.runId,
      pid: init.pid,
      playbook: {
        name: plan.playbook.name,
        ...(plan.playbook.description !== undefined ? { description: plan.playbook.description } : {}),
        file: plan.playbook.file,
        sha256: init.playbookSha256,
        ...(init.commit !== undefined ? { commit: init.commit } : {}),
      },
      params: plan.params,
      server: plan.server,
      host: init.host,
      ...(plan.resumed ? { resumes: plan.resumed.runId } : {}),
      targets: plan.targets,
    });
    this.write({ type: 'steps', steps: flattenSteps(plan.steps).map(stepReport) });
  }

  on(listener: ExecutorListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  iso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  step(stepId: string): StepReport {
    const s = foldIndex(this.report).steps.get(stepId);
    if (!s) throw new Error(`unknown step ${stepId}`);
    return s;
  }

  vm(stepId: string, name: string): VmReport {
    const vm = findVm(this.report, this.step(stepId), name);
    if (!vm) throw new Error(`unknown VM ${name} in step ${stepId}`);
    return vm;
  }

  stepStart(stepId: string): void {
    this.writeStepStart(this.step(stepId));
    this.emit({ type: 'step-start', stepId });
  }

  /**
   * A step that never ran. The journal still gets its step-start (name, kind, parent) so
   * status can describe it; listeners get only the step-end (the view draws it skipped).
   */
  stepSkipped(stepId: string, reason: string): void {
    this.writeStepStart(this.step(stepId));
    this.stepEnd(stepId, 'skipped', { skipReason: reason });
  }

  stepEnd(stepId: string, outcome: StepOutcome, detail: { error?: string; skipReason?: string } = {}): void {
    this.step(stepId);
    this.write({ type: 'step-end', stepId, outcome, ...detail });
    this.emit({ type: 'step-end', stepId, outcome, ...detail });
  }

  /**
   * A VM's live state, for listeners. The report's state comes from the request lines; a
   * `vm` line is written only where they do not tell it (e.g. a rollback's own words).
   */
  vmState(stepId: string, name: string, state: LiveVmState, detail: { message?: string; taskId?: string } = {}): void {
    const vm = this.vm(stepId, name);
    const mapped = LIVE_TO_REPORT[state];
    const told = TOLD_BY_REQUESTS.has(state) && detail.message === undefined;
    if (mapped && !told && (vm.state !== mapped || (detail.message !== undefined && vm.message !== detail.message))) {
      this.write({ type: 'vm', stepId, target: name, state: mapped, ...(detail.message !== undefined ? { message: detail.message } : {}) });
    }
    this.emit({ type: 'vm', stepId, vm: name, state, ...detail });
  }

  /** Every journal line so far is on disk: awaited before a mutating request leaves. */
  durable(): Promise<void> {
    return this.journal?.durable?.() ?? Promise.resolve();
  }

  /** Written (and made durable) BEFORE the mutating request leaves. */
  requestIntent(
    stepId: string,
    target: string,
    targetId: string,
    method: string,
    path: string,
    where: { replica?: string; restorePoint?: string; body?: ApiCall['body'] } = {},
  ): void {
    this.write({ type: 'request-intent', stepId, target, targetId, method, path, ...where });
  }
  requestAccepted(stepId: string, target: string, taskId: string): void {
    this.write({ type: 'request-accepted', stepId, target, taskId });
  }
  requestFailed(stepId: string, target: string, unknown: boolean, error: string): void {
    this.write({ type: 'request-failed', stepId, target, unknown, error });
  }
  /** An accepted task became unreachable (its result can no longer be read): outcome unknown. */
  taskLost(stepId: string, target: string, taskId: string, error: string): void {
    this.write({ type: 'task-lost', stepId, target, taskId, error });
  }
  taskResult(e: Omit<Extract<JournalEntry, { type: 'task-result' }>, 'at' | 'type'>): void {
    this.write({ type: 'task-result', ...e });
  }

  exec(stepId: string, command: string[], exitCode: number | null, undo = false, output?: string, rehearsed?: ExecRehearsal): void {
    const out = !undo && output !== undefined ? { output } : {};
    this.write({ type: 'exec', stepId, command, exitCode, ...(undo ? { undo } : {}), ...out, ...(rehearsed ? { rehearsed } : {}) });
  }

  /** A check step's findings; those naming a VM with an RPO become the step's VMs. */
  checks(stepId: string, findings: { ok: boolean; message: string; vm?: string; rpoSeconds?: number }[]): void {
    const checks = findings.map((f) => ({
      ok: f.ok,
      message: f.message,
      ...(f.vm !== undefined ? { vm: f.vm } : {}),
      ...(f.rpoSeconds !== undefined ? { rpoSeconds: f.rpoSeconds } : {}),
    }));
    this.write({ type: 'checks', stepId, checks });
  }

  approval(stepId: string, d: ApprovalRecord): void {
    const { decision, by, at, via, ...rest } = d;
    this.write({ type: 'approval', stepId, decision, by, decidedAt: at, via, ...rest });
  }

  approvalRefused(stepId: string, file: string, why: string): void {
    this.write({ type: 'approval-refused', stepId, file, why });
  }

  output(stepId: string, text: string): void {
    this.emit({ type: 'output', stepId, text });
  }

  event(kind: RunEventKind, message: string, stepId?: string): void {
    this.write({ type: 'event', kind, message, ...(stepId !== undefined ? { stepId } : {}) });
    this.emit({ type: 'event', kind, message, ...(stepId !== undefined ? { stepId } : {}) });
  }

  rollbackStart(reason: string, planned: PlannedRollback[] = []): void {
    this.write({ type: 'event', kind: 'rollback-start', message: reason });
    this.emit({ type: 'rollback-start', reason, planned });
  }

  rollbackAction(action: Omit<RollbackAction, 'at'>): void {
    this.write({ type: 'rollback', ...action });
    this.emit({ type: 'rollback', action: this.report.rollback[this.report.rollback.length - 1]! });
  }

  rollbackEnd(): void {
    this.emit({ type: 'rollback-end' });
  }

  manual(action: ManualAction): void {
    if (this.report.manual.some((m) => m.stepId === action.stepId && m.target === action.target)) return;
    this.write({ type: 'manual', ...action });
    this.emit({ type: 'manual', action });
  }

  end(outcome: RunOutcome, exitCode: number): RunReport {
    this.write({ type: 'run-end', outcome, exitCode });
    this.emit({ type: 'run-end', outcome });
    return this.report;
  }

  private writeStepStart(s: StepReport): void {
    this.write({
      type: 'step-start',
      stepId: s.id,
      name: s.name,
      kind: s.kind,
      ...(s.parentId !== undefined ? { parentId: s.parentId } : {}),
    });
  }

  /** Journal first, then the same line folded into the live report. */
  private write(body: EntryBody): void {
    const entry = { at: this.iso(), ...body } as JournalEntry;
    this.journal?.append(entry);
    applyEntry(this.report, entry);
  }

  private emit(event: ExecutorEvent): void {
    for (const l of this.listeners) l(event);
  }
}

function stepReport(step: PlanStep): StepReport {
  const base: StepReport = {
    id: step.id,
    name: step.name,
    kind: step.kind,
    ...(step.parentId !== undefined ? { parentId: step.parentId } : {}),
    outcome: 'pending',
  };
  const vm = (name: string, id: string, replica: string, restorePoint: string): VmReport => ({
    name,
    id,
    replica,
    restorePoint,
    state: 'not-started',
  });
  switch (step.kind) {
    case 'failover':
      return { ...base, vms: step.vms.map((v) => vm(v.name, v.id, v.replicaName, step.restorePoint)) };
    case 'failoverVapp':
      return { ...base, vms: [vm(step.vapp.name, step.vapp.id, step.vapp.replicaName, step.restorePoint)] };
    case 'failoverPlan':
      return { ...base, plan: { name: step.plan.name, id: step.plan.id, action: step.action } };
    case 'exec':
      return { ...base, exec: { command: step.command } };
    default:
      return base;
  }
}
