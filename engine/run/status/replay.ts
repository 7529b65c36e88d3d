// Rebuilds a RunReport from journal lines alone: what `runbook status` and `runbook
// rollback` know about a run whose process may be long gone. Pure: no files, no clock.

import type { StepKind } from '../../playbook/types.js';
import type { JournalEntry } from '../journal-types.js';
import { blankReport, type RunReport, type StepReport, type VmReport } from '../report-types.js';

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
  state: VmReport['state'];
  message?: string;
  /** A rollback recorded it as settled without a task result (e.g. a simulated run's tasks). */
  settled?: string;
}

export interface Replayed {
  report: RunReport;
  /** Every request, keyed `stepId\u0000target`, in journal order. */
  requests: Map<string, RequestTrack>;
  /** The pid that wrote run-start (to judge whether it still runs). */
  pid?: number;
  hasRunEnd: boolean;
}

const key = (stepId: string, target: string) => `${stepId}\u0000${target}`;
const ms = (from: string | undefined, to: string) => (from ? Date.parse(to) - Date.parse(from) : undefined);

/** `/cdpReplicas/{rid}/vms/{vid}?action=failover` → rid, when the journal has no replica name. */
function replicaFromPath(path: string): string | undefined {
  return /\/(?:cdpReplicas|cdpReplica\/vApps)\/([^/?]+)/.exec(path)?.[1];
}

export function replay(runId: string, entries: JournalEntry[]): Replayed {
  const report: RunReport = blankReport(runId, {
    playbook: { name: '(unknown: no run-start line)', file: '', sha256: '' },
    startedAt: entries[0]?.at ?? '',
  });
  const requests = new Map<string, RequestTrack>();
  const steps = new Map<string, StepReport>();
  let pid: number | undefined;
  let hasRunEnd = false;

  const step = (stepId: string): StepReport => {
    let s = steps.get(stepId);
    if (!s) {
      // A step seen only through its requests or its end: the engine writes step-start first,
      // so this happens only after a damaged line.
      s = { id: stepId, name: stepId, kind: 'unknown' as StepKind, outcome: 'running' };
      steps.set(stepId, s);
      report.steps.push(s);
    }
    return s;
  };
  // Where each VM sits in its step's `vms`, by name: looked up on every line of a 10,000-VM journal.
  const vmPositions = new Map<StepReport, Map<string, number>>();
  const vmOf = (t: RequestTrack): VmReport | undefined => {
    const s = step(t.stepId);
    const i = vmPositions.get(s)?.get(t.target);
    return i === undefined ? undefined : s.vms?.[i];
  };
  const sync = (t: RequestTrack, at: string) => {
    const s = step(t.stepId);
    if (t.kind === 'plan') {
      const action = /action=undo/.test(t.path) ? 'undo' : 'start';
      s.plan = { name: t.target, action, ...(t.targetId ? { id: t.targetId } : {}), ...(t.taskId ? { taskId: t.taskId } : {}), ...(t.message ? { message: t.message } : {}) };
      return;
    }
    const vm = vmOf(t);
    if (!vm) return;
    vm.state = t.state;
    if (t.taskId) vm.taskId = t.taskId;
    if (t.message !== undefined) vm.message = t.message;
    if (t.state === 'failed-over' || t.state === 'failed' || t.state === 'stopped') {
      vm.finishedAt = at;
      const d = ms(vm.requestedAt, at);
      if (d !== undefined) vm.durationMs = d;
    }
  };

  for (const e of entries) {
    switch (e.type) {
      case 'run-start':
        pid = e.pid;
        report.runId = e.runId;
        report.playbook = { ...e.playbook };
        report.params = { ...e.params };
        report.server = { ...e.server };
        report.host = { ...e.host };
        if (e.resumes !== undefined) report.resumes = e.resumes;
        report.startedAt = e.at;
        break;
      case 'step-start': {
        const s = step(e.stepId);
        s.name = e.name;
        s.kind = e.kind as StepKind;
        if (e.parentId) s.parentId = e.parentId;
        s.startedAt = e.at;
        break;
      }
      case 'step-end': {
        const s = step(e.stepId);
        s.outcome = e.outcome;
        s.endedAt = e.at;
        const d = ms(s.startedAt, e.at);
        if (d !== undefined) s.durationMs = d;
        if (e.error) s.error = e.error;
        if (e.skipReason) s.skipReason = e.skipReason;
        break;
      }
      case 'request-intent': {
        const kind = /\/failoverPlans\//.test(e.path) ? 'plan' : 'vm';
        const replica = e.replica ?? replicaFromPath(e.path);
        const t: RequestTrack = {
          stepId: e.stepId, target: e.target, kind, method: e.method, path: e.path, requestedAt: e.at, state: 'unknown',
          ...(e.targetId ? { targetId: e.targetId } : {}),
          ...(replica ? { replica } : {}),
        };
        const previous = requests.get(key(e.stepId, e.target));
        requests.set(key(e.stepId, e.target), t);
        if (kind === 'vm') {
          const s = step(e.stepId);
          s.vms ??= [];
          const vm: VmReport = {
            name: e.target, replica: replica ?? '(not recorded)', restorePoint: e.restorePoint ?? '(not recorded)', state: 'unknown', requestedAt: e.at,
            ...(e.targetId ? { id: e.targetId } : {}),
          };
          let positions = vmPositions.get(s);
          if (!positions) vmPositions.set(s, (positions = new Map()));
          const i = positions.get(e.target);
          // A re-sent request (EM said it did not process the first) counts as a retry.
          if (i !== undefined) {
            s.vms[i] = { ...vm, retries: (s.vms[i]?.retries ?? 0) + (previous ? 1 : 0) };
          } else {
            positions.set(e.target, s.vms.length);
            s.vms.push(vm);
          }
        }
        sync(t, e.at);
        break;
      }
      case 'request-accepted':
      case 'request-failed':
      case 'task-lost':
      case 'task-result': {
        const t = requests.get(key(e.stepId, e.target));
        if (!t) break; // no intent line (damaged journal): nothing to attach it to
        if (e.type === 'request-accepted') {
          t.taskId = e.taskId;
          t.state = 'running';
        } else if (e.type === 'request-failed') {
          t.state = e.unknown ? 'unknown' : 'failed';
          t.message = e.error;
        } else if (e.type === 'task-lost') {
          t.taskId = e.taskId;
          t.state = 'unknown';
          t.message = e.error;
          const vm = vmOf(t);
          if (vm) {
            vm.finishedAt = e.at;
            const d = ms(vm.requestedAt, e.at);
            if (d !== undefined) vm.durationMs = d;
          }
        } else {
          t.taskId = e.taskId;
          t.state = e.success ? 'failed-over' : 'failed';
          if (e.message !== undefined) t.message = e.message;
          const vm = vmOf(t);
          if (vm && e.restoreSession) vm.restoreSession = { ...e.restoreSession };
        }
        sync(t, e.at);
        break;
      }
      case 'rollback': {
        const { type: _type, ...action } = e;
        report.rollback.push(action);
        const t = requests.get(key(e.stepId, e.target));
        if (t && e.action === 'delete-task' && e.ok && t.state === 'running') {
          t.state = 'stopped';
          t.message = e.message;
          sync(t, e.at);
        } else if (t && e.action === 'manual' && e.ok) {
          t.settled = e.message;
        }
        break;
      }
      case 'exec':
        if (!e.undo) step(e.stepId).exec = { command: [...e.command], ...(e.exitCode !== null ? { exitCode: e.exitCode } : {}), ...(e.rehearsed ? { rehearsed: e.rehearsed } : {}) };
        break;
      case 'approval': {
        const { type: _type, at: _at, stepId, decidedAt, ...rest } = e;
        step(stepId).approval = { ...rest, at: decidedAt };
        break;
      }
      case 'approval-refused':
        (step(e.stepId).refusedDecisions ??= []).push({ at: e.at, file: e.file, why: e.why });
        break;
      case 'event':
        report.events.push({ at: e.at, type: e.kind, message: e.message, ...(e.stepId ? { stepId: e.stepId } : {}) });
        break;
      case 'run-end':
        hasRunEnd = true;
        report.outcome = e.outcome;
        report.exitCode = e.exitCode;
        report.endedAt = e.at;
        break;
    }
  }

  const done = [...requests.values()].filter((t) => t.kind === 'vm' && t.state === 'failed-over');
  const lastFinish = done.map((t) => vmOf(t)?.finishedAt).filter((x): x is string => !!x).sort().pop();
  const rto = ms(report.startedAt, lastFinish ?? '');
  if (lastFinish && rto !== undefined) report.achieved.rtoMs = rto;

  return { report, requests, hasRunEnd, ...(pid !== undefined ? { pid } : {}) };
}
