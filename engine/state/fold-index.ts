// What the fold of a run's journal keeps beside the report (engine/state/apply-entry.ts):
// steps and VMs by id and name (looked up on every line of a 10,000-VM journal) and every
// mutating request the run made, which `runbook status` and `runbook rollback` need.

import type { StepKind } from '../playbook/types.js';
import type { RunReport, StepReport, VmReport, VmState } from './report-types.js';

/** One mutating request the run made: a VM or vApp failover, or a plan start/undo. */
export interface RequestTrack {
  stepId: string;
  target: string;
  targetId?: string;
  kind: 'vm' | 'plan';
  replica?: string;
  method: string;
  path: string;
  requestedAt: string;
  taskId?: string;
  /** Where it stands; plans use the same states as VMs. */
  state: VmState;
  message?: string;
  /** A rollback recorded it as settled without a task result (e.g. a simulated run's tasks). */
  settled?: string;
}

export interface FoldIndex {
  steps: Map<string, StepReport>;
  /** Keyed by the `vms` array itself: a check step gets its `vms` later. */
  vms: WeakMap<VmReport[], Map<string, VmReport>>;
  /** Every request, keyed `stepId\u0000target`, in journal order. */
  requests: Map<string, RequestTrack>;
  /** The pid that wrote run-start (to judge whether it still runs). */
  pid?: number;
  hasRunEnd: boolean;
}

const indexes = new WeakMap<RunReport, FoldIndex>();

/** The index of a report being folded (made on first use, from the steps it already has). */
export function foldIndex(report: RunReport): FoldIndex {
  let index = indexes.get(report);
  if (!index) {
    index = { steps: new Map(), vms: new WeakMap(), requests: new Map(), hasRunEnd: false };
    for (const s of report.steps) if (!index.steps.has(s.id)) index.steps.set(s.id, s);
    indexes.set(report, index);
  }
  return index;
}

export const requestKey = (stepId: string, target: string) => `${stepId}\u0000${target}`;

/** A step by id; one seen only through a later line (a damaged journal) is added as it comes. */
export function stepOf(report: RunReport, stepId: string): StepReport {
  const index = foldIndex(report);
  let s = index.steps.get(stepId);
  if (!s) {
    s = { id: stepId, name: stepId, kind: 'unknown' as StepKind, outcome: 'running' };
    index.steps.set(stepId, s);
    report.steps.push(s);
  }
  return s;
}

export function findVm(report: RunReport, step: StepReport, name: string): VmReport | undefined {
  if (!step.vms) return undefined;
  const index = foldIndex(report);
  let byName = index.vms.get(step.vms);
  if (!byName) {
    byName = new Map();
    for (const v of step.vms) if (!byName.has(v.name)) byName.set(v.name, v);
    index.vms.set(step.vms, byName);
  }
  return byName.get(name);
}

/** Adds a VM to a step (a journal without a `steps` line names its VMs only in their requests). */
export function addVm(report: RunReport, step: StepReport, vm: VmReport): VmReport {
  step.vms ??= [];
  const found = findVm(report, step, vm.name);
  if (found) return found;
  step.vms.push(vm);
  foldIndex(report).vms.get(step.vms)?.set(vm.name, vm);
  return vm;
}

export const msBetween = (from: string | undefined, to: string): number | undefined =>
  from ? Date.parse(to) - Date.parse(from) : undefined;

/** The VM's end: its finish time and how long it took from the request. */
export function finish(vm: VmReport, at: string): void {
  vm.finishedAt = at;
  const d = msBetween(vm.requestedAt, at);
  if (d !== undefined) vm.durationMs = d;
}

/** The words a VM's message carries, the same live and replayed. */
export const vmMessages = {
  unknownSend: (error: string) => `outcome unknown, not re-sent: ${error}`,
  emFailure: (message: string | undefined) => `EM reported failure: ${message ?? 'no message'}`,
  sessionFailed: (name: string) => `restore session ${name} ended Failed`,
  sessionWarning: 'restore session ended with warnings',
};
