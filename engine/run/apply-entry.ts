// The one model of a run's state: a RunReport is the fold of its journal lines. The
// recorder appends a line and folds it into the live report; `runbook status`, `runbook
// report` and `runbook rollback --run` fold the journal file with the same function, so
// they cannot disagree with the run's own report. A new field touches this file only.
// Journals written before a line type existed still fold (they just tell less).

import type { StepKind } from '../playbook/types.js';
import type { JournalEntry } from './journal-types.js';
import { blankReport, type RunReport, type StepReport } from './report-types.js';
import { addVm, finish, findVm, foldIndex, msBetween, requestKey, stepOf, vmMessages, type RequestTrack } from './fold-index.js';

type Entry<T extends JournalEntry['type']> = Extract<JournalEntry, { type: T }>;

/** Folds one journal line into the report (and its index: steps, VMs, requests). */
export function applyEntry(report: RunReport, e: JournalEntry): void {
  switch (e.type) {
    case 'run-start':
      runStart(report, e);
      return;
    case 'steps':
      for (const s of e.steps) if (isRecord(s) && typeof s.id === 'string' && typeof s.name === 'string') addStep(report, s);
      return;
    case 'step-start': {
      const s = stepOf(report, e.stepId);
      s.name = e.name;
      s.kind = e.kind as StepKind;
      if (e.parentId) s.parentId = e.parentId;
      s.outcome = 'running';
      s.startedAt = e.at;
      return;
    }
    case 'step-end':
      stepEnd(stepOf(report, e.stepId), e);
      return;
    case 'request-intent':
      requestIntent(report, e);
      return;
    case 'request-accepted':
    case 'request-failed':
    case 'task-lost':
    case 'task-result':
      requestAnswer(report, e);
      return;
    case 'vm':
      vmLine(report, e);
      return;
    case 'rollback': {
      const { type: _type, ...action } = e;
      report.rollback.push(action);
      const t = foldIndex(report).requests.get(requestKey(e.stepId, e.target));
      if (t && e.action === 'delete-task' && e.ok && t.state === 'running') settle(report, t, 'stopped', e.message, e.at);
      else if (t && e.action === 'manual' && e.ok) t.settled = e.message;
      return;
    }
    case 'exec':
      if (!e.undo) {
        const exitCode = e.exitCode !== null ? { exitCode: e.exitCode } : {};
        const output = e.output !== undefined ? { output: e.output } : {};
        stepOf(report, e.stepId).exec = {
          command: [...e.command],
          ...exitCode,
          ...output,
          ...(e.rehearsed ? { rehearsed: e.rehearsed } : {}),
        };
      }
      return;
    case 'checks':
      checks(stepOf(report, e.stepId), e);
      return;
    case 'approval': {
      const { type: _type, at: _at, stepId, decidedAt, ...rest } = e;
      stepOf(report, stepId).approval = { ...rest, at: decidedAt };
      return;
    }
    case 'approval-refused':
      {
        const s = stepOf(report, e.stepId);
        s.refusedDecisions = [...(s.refusedDecisions ?? []), { at: e.at, file: e.file, why: e.why }];
      }
      return;
    case 'manual': {
      if (report.manual.some((m) => m.stepId === e.stepId && m.target === e.target)) return;
      report.manual.push({ stepId: e.stepId, target: e.target, reason: e.reason, instruction: e.instruction });
      return;
    }
    case 'event':
      report.events.push({ at: e.at, type: e.kind, message: e.message, ...(e.stepId ? { stepId: e.stepId } : {}) });
      return;
    case 'run-end': {
      foldIndex(report).hasRunEnd = true;
      report.outcome = e.outcome;
      report.exitCode = e.exitCode;
      report.endedAt = e.at;
      const rpos = report.steps.flatMap((s) => s.vms ?? []).flatMap((v) => (v.rpoSeconds !== undefined ? [v.rpoSeconds] : []));
      if (rpos.length > 0) report.achieved.worstRpoSeconds = Math.max(...rpos);
      return;
    }
    default:
      // A line type from a newer version: nothing this one knows to fold.
      return;
  }
}

/** A whole journal folded from nothing: what `status`, `report` and `rollback --run` see. */
export function foldJournal(runId: string, entries: readonly JournalEntry[]): RunReport {
  const report = blankReport(runId, {
    playbook: { name: '(unknown: no run-start line)', file: '', sha256: '' },
    startedAt: entries[0]?.at ?? '',
  });
  for (const e of entries) applyEntry(report, e);
  return report;
}

/** Lines come from files anyone could have edited: nested parts are checked before use. */
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function runStart(report: RunReport, e: Entry<'run-start'>): void {
  foldIndex(report).pid = e.pid;
  report.runId = e.runId;
  report.playbook = { ...e.playbook };
  report.params = isRecord(e.params) ? { ...e.params } : {};
  report.server = { ...e.server };
  report.host = { ...e.host };
  if (e.resumes !== undefined) report.resumes = e.resumes;
  if (e.targets !== undefined) report.targets = { ...e.targets };
  report.startedAt = e.at;
}

function addStep(report: RunReport, s: StepReport): void {
  if (foldIndex(report).steps.has(s.id)) return;
  const copy: StepReport = { ...s };
  if (Array.isArray(s.vms)) copy.vms = s.vms.filter((v) => isRecord(v) && typeof v.name === 'string').map((v) => ({ ...v }));
  if (isRecord(s.plan)) copy.plan = { ...s.plan };
  if (isRecord(s.exec) && Array.isArray(s.exec.command)) copy.exec = { ...s.exec, command: [...s.exec.command] };
  else delete copy.exec;
  report.steps.push(copy);
  foldIndex(report).steps.set(copy.id, copy);
}

function stepEnd(s: StepReport, e: Entry<'step-end'>): void {
  s.outcome = e.outcome;
  s.endedAt = e.at;
  if (e.outcome === 'skipped') {
    // A skipped step never ran: its step-start line only names it.
    delete s.startedAt;
    delete s.durationMs;
  } else {
    const d = msBetween(s.startedAt, e.at);
    if (d !== undefined) s.durationMs = d;
  }
  if (e.error) s.error = e.error;
  if (e.skipReason) s.skipReason = e.skipReason;
}

function checks(s: StepReport, e: Entry<'checks'>): void {
  const found = e.checks.filter((c) => isRecord(c) && typeof c.message === 'string');
  s.checks = found.map((c) => ({ ok: c.ok === true, message: c.message }));
  const rpo = found.flatMap(({ vm, rpoSeconds }) =>
    vm !== undefined && rpoSeconds !== undefined
      ? [{ name: vm, replica: '', restorePoint: 'newest', state: 'not-started' as const, rpoSeconds }]
      : [],
  );
  if (rpo.length > 0) s.vms = rpo;
}

/** `/cdpReplicas/{rid}/vms/{vid}?action=failover` → rid, when the journal has no replica name. */
function replicaFromPath(path: string): string | undefined {
  return /\/(?:cdpReplicas|cdpReplica\/vApps)\/([^/?]+)/.exec(path)?.[1];
}

function requestIntent(report: RunReport, e: Entry<'request-intent'>): void {
  const { requests } = foldIndex(report);
  const kind = /\/failoverPlans\//.test(e.path) ? 'plan' : 'vm';
  const replica = e.replica ?? replicaFromPath(e.path);
  const t: RequestTrack = {
    stepId: e.stepId,
    target: e.target,
    kind,
    method: e.method,
    path: e.path,
    requestedAt: e.at,
    state: 'unknown',
    ...(e.targetId ? { targetId: e.targetId } : {}),
    ...(replica ? { replica } : {}),
  };
  const previous = requests.get(requestKey(e.stepId, e.target));
  requests.set(requestKey(e.stepId, e.target), t);
  if (kind === 'vm') {
    const s = stepOf(report, e.stepId);
    const vm = addVm(report, s, {
      name: e.target,
      replica: replica ?? '(not recorded)',
      restorePoint: e.restorePoint ?? '(not recorded)',
      state: 'unknown',
      ...(e.targetId ? { id: e.targetId } : {}),
    });
    // Sent, no answer yet: if the process dies now, nobody knows whether EM started it.
    vm.state = 'unknown';
    vm.requestedAt = e.at;
    for (const k of ['taskId', 'message', 'finishedAt', 'durationMs'] as const) delete vm[k];
    // A re-sent request (EM said it did not process the first) counts as a retry.
    if (previous) vm.retries = (vm.retries ?? 0) + 1;
  }
  sync(report, t);
}

function requestAnswer(report: RunReport, e: Entry<'request-accepted' | 'request-failed' | 'task-lost' | 'task-result'>): void {
  const t = foldIndex(report).requests.get(requestKey(e.stepId, e.target));
  if (!t) return; // no intent line (damaged journal): nothing to attach it to
  switch (e.type) {
    case 'request-accepted':
      t.taskId = e.taskId;
      t.state = 'running';
      sync(report, t);
      return;
    case 'request-failed':
      settle(report, t, e.unknown ? 'unknown' : 'failed', e.unknown ? vmMessages.unknownSend(e.error) : e.error, e.at);
      return;
    case 'task-lost':
      t.taskId = e.taskId;
      settle(report, t, 'unknown', e.error, e.at);
      return;
    case 'task-result': {
      t.taskId = e.taskId;
      const session = e.restoreSession;
      const vm = t.kind === 'vm' ? findVm(report, stepOf(report, t.stepId), t.target) : undefined;
      if (vm && session) vm.restoreSession = { ...session };
      const message = e.success
        ? session?.result === 'Warning'
          ? vmMessages.sessionWarning
          : e.message
        : session?.result === 'Failed'
          ? vmMessages.sessionFailed(session.id)
          : vmMessages.emFailure(e.message);
      settle(report, t, e.success ? 'failed-over' : 'failed', message, e.at);
      return;
    }
  }
}

/** A VM's state said outright (the live run's words where the request lines do not tell them). */
function vmLine(report: RunReport, e: Entry<'vm'>): void {
  const t = foldIndex(report).requests.get(requestKey(e.stepId, e.target));
  if (t) {
    settle(report, t, e.state, e.message, e.at);
    return;
  }
  const vm = findVm(report, stepOf(report, e.stepId), e.target);
  if (!vm) return;
  vm.state = e.state;
  if (e.message !== undefined) vm.message = e.message;
}

const FINAL = new Set(['failed-over', 'failed', 'stopped', 'unknown']);

function settle(report: RunReport, t: RequestTrack, state: RequestTrack['state'], message: string | undefined, at: string): void {
  t.state = state;
  if (message !== undefined) t.message = message;
  sync(report, t, at);
}

/** Copies a request's state onto its VM (or its plan step). */
function sync(report: RunReport, t: RequestTrack, at?: string): void {
  const s = stepOf(report, t.stepId);
  if (t.kind === 'plan') {
    const action = /action=undo/.test(t.path) ? 'undo' : 'start';
    s.plan = {
      name: t.target,
      action,
      ...(t.targetId ? { id: t.targetId } : {}),
      ...(t.taskId ? { taskId: t.taskId } : {}),
      ...(t.message ? { message: t.message } : {}),
    };
    return;
  }
  const vm = findVm(report, s, t.target);
  if (!vm) return;
  vm.state = t.state;
  if (t.taskId) vm.taskId = t.taskId;
  if (t.message !== undefined) vm.message = t.message;
  if (at !== undefined && FINAL.has(t.state)) {
    finish(vm, at);
    if (t.state === 'failed-over') {
      const rto = msBetween(report.startedAt, at);
      if (rto !== undefined) report.achieved.rtoMs = rto;
    }
  }
}
