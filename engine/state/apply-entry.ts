// The one model of a run's state: a RunReport is the fold of its journal lines. The
// recorder appends a line and folds it into the live report; `runbook status`, `runbook
// report` and `runbook rollback --run` fold the journal file with the same function, so
// they cannot disagree with the run's own report. A new field touches this file only (request lines: fold-requests.ts).
// Journals written before a line type existed still fold (they just tell less).

import type { StepKind } from '../playbook/types.js';
import type { JournalEntry } from './journal-types.js';
import { blankReport, type RunReport, type StepReport } from './report-types.js';
import { foldIndex, msBetween, requestKey, stepOf } from './fold-index.js';
import { requestAnswer, requestIntent, settle, vmLine, type Entry } from './fold-requests.js';

/** Folds one journal line into the report (and its index: steps, VMs, requests). */
export function applyEntry(report: RunReport, e: JournalEntry): void {
  switch (e.type) {
    case 'run-start':
      runStart(report, e);
      return;
    case 'steps':
      for (const s of e.steps) if (isRecord(s) && typeof s.id === 'string' && typeof s.name === 'string') addStep(report, s);
      return;
    case 'step-start':
      stepStart(stepOf(report, e.stepId), e);
      return;
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
    case 'rollback':
      rollback(report, e);
      return;
    case 'exec':
      if (!e.undo) exec(stepOf(report, e.stepId), e);
      return;
    case 'checks':
      checks(stepOf(report, e.stepId), e);
      return;
    case 'approval':
      approval(report, e);
      return;
    case 'approval-refused':
      approvalRefused(stepOf(report, e.stepId), e);
      return;
    case 'manual':
      manual(report, e);
      return;
    case 'event':
      report.events.push({ at: e.at, type: e.kind, message: e.message, ...(e.stepId ? { stepId: e.stepId } : {}) });
      return;
    case 'run-end':
      runEnd(report, e);
      return;
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

function stepStart(s: StepReport, e: Entry<'step-start'>): void {
  s.name = e.name;
  s.kind = e.kind as StepKind;
  if (e.parentId) s.parentId = e.parentId;
  s.outcome = 'running';
  s.startedAt = e.at;
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

function exec(s: StepReport, e: Entry<'exec'>): void {
  const exitCode = e.exitCode !== null ? { exitCode: e.exitCode } : {};
  const output = e.output !== undefined ? { output: e.output } : {};
  s.exec = { command: [...e.command], ...exitCode, ...output, ...(e.rehearsed ? { rehearsed: e.rehearsed } : {}) };
}

function approval(report: RunReport, e: Entry<'approval'>): void {
  const { type: _type, at: _at, stepId, decidedAt, ...rest } = e;
  stepOf(report, stepId).approval = { ...rest, at: decidedAt };
}

function approvalRefused(s: StepReport, e: Entry<'approval-refused'>): void {
  s.refusedDecisions = [...(s.refusedDecisions ?? []), { at: e.at, file: e.file, why: e.why }];
}

/** A target needing a human is listed once, however often the journal says so. */
function manual(report: RunReport, e: Entry<'manual'>): void {
  if (report.manual.some((m) => m.stepId === e.stepId && m.target === e.target)) return;
  report.manual.push({ stepId: e.stepId, target: e.target, reason: e.reason, instruction: e.instruction });
}

/** A stopped task settles its VM as stopped; a manual step done by hand notes it on the request. */
function rollback(report: RunReport, e: Entry<'rollback'>): void {
  const { type: _type, ...action } = e;
  report.rollback.push(action);
  const t = foldIndex(report).requests.get(requestKey(e.stepId, e.target));
  if (t && e.action === 'delete-task' && e.ok && t.state === 'running') settle(report, t, 'stopped', e.message, e.at);
  else if (t && e.action === 'manual' && e.ok) t.settled = e.message;
}

function runEnd(report: RunReport, e: Entry<'run-end'>): void {
  foldIndex(report).hasRunEnd = true;
  report.outcome = e.outcome;
  report.exitCode = e.exitCode;
  report.endedAt = e.at;
  const rpos = report.steps.flatMap((s) => s.vms ?? []).flatMap((v) => (v.rpoSeconds !== undefined ? [v.rpoSeconds] : []));
  if (rpos.length > 0) report.achieved.worstRpoSeconds = Math.max(...rpos);
}
