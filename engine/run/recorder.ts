// The RunRecorder: the one place the executor reports what happens. It keeps the RunReport
// up to date, appends JournalEntry lines to an optional journal sink (written at once in
// the real one, fsynced by group commit: the executor awaits `durable()` before each
// mutating request, so its intent is on disk first), and forwards ExecutorEvents to
// listeners (the progress view). Never sees a secret.

import type { Clock } from '../clock.js';
import type { StepOutcome } from '../playbook/types.js';
import { flattenSteps, type Plan, type PlanStep } from '../plan/types.js';
import type { JournalEntry } from './journal-types.js';
import type { ExecutorEvent, ExecutorListener, LiveVmState, PlannedRollback, RunEventKind } from './events.js';
import {
  REPORT_SCHEMA,
  type ApprovalRecord,
  type ExecRehearsal,
  type ManualAction,
  type RollbackAction,
  type RunOutcome,
  type RunReport,
  type StepReport,
  type VmReport,
  type VmState,
} from './report-types.js';

/** Where journal lines go (engine/run/journal.ts in production; an array in tests). */
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

export class RunRecorder {
  readonly report: RunReport;
  private readonly listeners = new Set<ExecutorListener>();
  private readonly clock: Clock;
  private readonly journal: JournalSink | undefined;
  private readonly startMs: number;
  /** Step and VM reports by id and name: looked up on every VM state change (10,000-VM steps). */
  private readonly steps = new Map<string, StepReport>();
  /** Keyed by the `vms` array itself: a check step gets its `vms` assigned later. */
  private readonly vmIndex = new WeakMap<VmReport[], Map<string, VmReport>>();

  constructor(init: RecorderInit) {
    this.clock = init.clock;
    this.journal = init.journal;
    this.startMs = init.clock.now();
    const { plan } = init;
    this.report = {
      schema: REPORT_SCHEMA,
      runId: init.runId,
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
      startedAt: this.iso(),
      outcome: 'running',
      targets: plan.targets,
      achieved: {},
      steps: flattenSteps(plan.steps).map(stepReport),
      rollback: [],
      manual: [],
      events: [],
    };
    for (const s of this.report.steps) if (!this.steps.has(s.id)) this.steps.set(s.id, s);
    this.write({
      type: 'run-start',
      runId: init.runId,
      pid: init.pid,
      playbook: { ...this.report.playbook },
      params: plan.params,
      server: plan.server,
      host: init.host,
      ...(plan.resumed ? { resumes: plan.resumed.runId } : {}),
    });
  }

  on(listener: ExecutorListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  iso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  step(stepId: string): StepReport {
    const s = this.steps.get(stepId);
    if (!s) throw new Error(`unknown step ${stepId}`);
    return s;
  }

  vm(stepId: string, name: string): VmReport {
    const vm = this.findVm(this.step(stepId), name);
    if (!vm) throw new Error(`unknown VM ${name} in step ${stepId}`);
    return vm;
  }

  private findVm(step: StepReport, name: string): VmReport | undefined {
    if (!step.vms) return undefined;
    let index = this.vmIndex.get(step.vms);
    if (!index) {
      index = new Map();
      for (const v of step.vms) if (!index.has(v.name)) index.set(v.name, v);
      this.vmIndex.set(step.vms, index);
    }
    return index.get(name);
  }

  stepStart(stepId: string): void {
    const s = this.step(stepId);
    s.outcome = 'running';
    s.startedAt = this.iso();
    this.writeStepStart(s);
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
    const s = this.step(stepId);
    s.outcome = outcome;
    s.endedAt = this.iso();
    if (s.startedAt) s.durationMs = Date.parse(s.endedAt) - Date.parse(s.startedAt);
    if (detail.error !== undefined) s.error = detail.error;
    if (detail.skipReason !== undefined) s.skipReason = detail.skipReason;
    this.write({ type: 'step-end', stepId, outcome, ...detail });
    this.emit({ type: 'step-end', stepId, outcome, ...detail });
  }

  /** A VM's live state; the report keeps the coarser VmState and timings. */
  vmState(stepId: string, name: string, state: LiveVmState, detail: { message?: string; taskId?: string } = {}): void {
    const vm = this.vm(stepId, name);
    const mapped = LIVE_TO_REPORT[state];
    if (mapped) vm.state = mapped;
    if (detail.taskId !== undefined) vm.taskId = detail.taskId;
    if (detail.message !== undefined) vm.message = detail.message;
    if (state === 'requested') vm.requestedAt = this.iso();
    if (state === 'done' || state === 'failed' || state === 'stopped' || state === 'unknown') {
      vm.finishedAt = this.iso();
      if (vm.requestedAt) vm.durationMs = Date.parse(vm.finishedAt) - Date.parse(vm.requestedAt);
      if (state === 'done') this.report.achieved.rtoMs = this.clock.now() - this.startMs;
    }
    this.emit({ type: 'vm', stepId, vm: name, state, ...detail });
  }

  /** Every journal line so far is on disk: awaited before a mutating request leaves. */
  durable(): Promise<void> {
    return this.journal?.durable?.() ?? Promise.resolve();
  }

  /** Journal only: written (and made durable) BEFORE the mutating request leaves. */
  requestIntent(stepId: string, target: string, targetId: string, method: string, path: string, where: { replica?: string; restorePoint?: string } = {}): void {
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
    if (e.restoreSession) {
      const vm = this.findVm(this.step(e.stepId), e.target);
      if (vm) vm.restoreSession = e.restoreSession;
    }
  }

  exec(stepId: string, command: string[], exitCode: number | null, undo = false, output?: string, rehearsed?: ExecRehearsal): void {
    const r = rehearsed ? { rehearsed } : {};
    this.write({ type: 'exec', stepId, command, exitCode, ...(undo ? { undo } : {}), ...r });
    if (!undo) {
      this.step(stepId).exec = { command, ...(exitCode !== null ? { exitCode } : {}), ...(output !== undefined ? { output } : {}), ...r };
    }
  }

  approval(stepId: string, d: ApprovalRecord): void {
    const { decision, by, at, via, ...rest } = d;
    this.write({ type: 'approval', stepId, decision, by, decidedAt: at, via, ...rest });
    this.step(stepId).approval = { ...d };
  }

  approvalRefused(stepId: string, file: string, why: string): void {
    this.write({ type: 'approval-refused', stepId, file, why });
    const s = this.step(stepId);
    (s.refusedDecisions ??= []).push({ at: this.iso(), file, why });
  }

  output(stepId: string, text: string): void {
    this.emit({ type: 'output', stepId, text });
  }

  event(kind: RunEventKind, message: string, stepId?: string): void {
    this.report.events.push({ at: this.iso(), type: kind === 'rollback-start' ? 'rollback-start' : kind, message, ...(stepId !== undefined ? { stepId } : {}) });
    if (kind !== 'rollback-start') this.write({ type: 'event', kind, message, ...(stepId !== undefined ? { stepId } : {}) });
    this.emit({ type: 'event', kind, message, ...(stepId !== undefined ? { stepId } : {}) });
  }

  rollbackStart(reason: string, planned: PlannedRollback[] = []): void {
    this.report.events.push({ at: this.iso(), type: 'rollback-start', message: reason });
    this.emit({ type: 'rollback-start', reason, planned });
  }

  rollbackAction(action: Omit<RollbackAction, 'at'>): void {
    const full: RollbackAction = { at: this.iso(), ...action };
    this.report.rollback.push(full);
    this.write({ type: 'rollback', ...action });
    this.emit({ type: 'rollback', action: full });
  }

  rollbackEnd(): void {
    this.emit({ type: 'rollback-end' });
  }

  manual(action: ManualAction): void {
    if (this.report.manual.some((m) => m.stepId === action.stepId && m.target === action.target)) return;
    this.report.manual.push(action);
    this.emit({ type: 'manual', action });
  }

  end(outcome: RunOutcome, exitCode: number): RunReport {
    this.report.outcome = outcome;
    this.report.exitCode = exitCode;
    this.report.endedAt = this.iso();
    const rpos = this.report.steps.flatMap((s) => s.vms ?? []).flatMap((v) => (v.rpoSeconds !== undefined ? [v.rpoSeconds] : []));
    if (rpos.length > 0) this.report.achieved.worstRpoSeconds = Math.max(...rpos);
    this.write({ type: 'run-end', outcome, exitCode });
    this.emit({ type: 'run-end', outcome });
    return this.report;
  }

  private writeStepStart(s: StepReport): void {
    this.write({ type: 'step-start', stepId: s.id, name: s.name, kind: s.kind, ...(s.parentId !== undefined ? { parentId: s.parentId } : {}) });
  }

  private write(entry: EntryBody): void {
    this.journal?.append({ at: this.iso(), ...entry } as JournalEntry);
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
  const vm = (name: string, id: string, replica: string, restorePoint: string): VmReport => ({ name, id, replica, restorePoint, state: 'not-started' });
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
