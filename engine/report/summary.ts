// The final summary of a run: what is failed over, failed, stopped, unknown, what rollback
// did and what the operator must still do. Pure: the command prints it.

import { formatDuration } from '../duration.js';
import { verdictWords } from '../state/outcome-words.js';
import { isScaled } from './rehearsal-label.js';
import type { RollbackAction, RunReport, StepReport, VmState } from '../state/report-types.js';
import { terminalLine } from '../terminal-safe.js';

/** How a rollback action reads, in the summary and the progress view alike. */
export const ROLLBACK_VERBS: Record<RollbackAction['action'], string> = {
  'delete-task': 'stop',
  'undo-plan': 'undo failover plan',
  'exec-undo': 'run undo',
  manual: 'manual',
};

const LABELS: [VmState, string][] = [
  ['failed-over', 'failed over'],
  ['failed', 'failed'],
  ['stopped', 'stopped'],
  ['unknown', 'UNKNOWN'],
  ['running', 'still running'],
  ['not-started', 'not started'],
];

export interface SummaryOptions {
  /** Real (wall clock) time the run took: said beside simulated time in rehearsals. */
  realMs?: number;
}

/** ` in 14m` or, in a rehearsal, ` in 14m of simulated time (×60, 14.2s real)`. */
function took(report: RunReport, realMs: number | undefined): string {
  if (!report.endedAt) return '';
  const ms = Date.parse(report.endedAt) - Date.parse(report.startedAt);
  if (!isScaled(report)) return ` in ${formatDuration(ms)}`;
  const real = realMs !== undefined ? `, ${formatDuration(realMs)} real` : '';
  return ` in ${formatDuration(ms)} of simulated time (×${report.server.timeScale}${real})`;
}

export function renderSummary(report: RunReport, options: SummaryOptions = {}): string {
  const lines: string[] = [];
  const verdict = verdictWords(report);
  lines.push(`Run ${report.runId} of "${report.playbook.name}" ${verdict}${took(report, options.realMs)}.`);
  // A step a resumed run did is credited to it: its VMs are failed over, by that run, not "not started".
  const doneBy = (s: StepReport) => (s.outcome === 'skipped' ? /^done by run (\S+)/.exec(s.skipReason ?? '')?.[1] : undefined);
  const failoverSteps = report.steps.filter((s) => s.kind === 'failover' || s.kind === 'failoverVapp');
  const earlier = new Map<string, string[]>();
  for (const s of failoverSteps) {
    const by = doneBy(s);
    if (by !== undefined) earlier.set(by, [...(earlier.get(by) ?? []), ...(s.vms ?? []).map((v) => v.name)]);
  }
  const vms = failoverSteps.filter((s) => doneBy(s) === undefined).flatMap((s) => (s.vms ?? []).map((v) => ({ ...v, step: s.id })));
  for (const [by, names] of earlier) lines.push(`  failed over by run ${by}: ${names.join(', ')}`);
  for (const [state, label] of LABELS) {
    const these = vms.filter((v) => v.state === state);
    if (these.length === 0) continue;
    const detail =
      state === 'failed-over' || state === 'not-started'
        ? these.map((v) => v.name).join(', ')
        : these.map((v) => `${v.name}${v.message ? ` (${terminalLine(v.message)})` : ''}`).join('; ');
    lines.push(`  ${`${label}:`.padEnd(15)}${detail}`);
  }
  for (const s of report.steps) {
    if (s.outcome === 'failed' && s.kind !== 'failover' && s.kind !== 'failoverVapp' && s.kind !== 'parallel')
      lines.push(`  step "${s.id}" failed: ${terminalLine(s.error ?? '')}`);
  }
  // Manual entries are listed below, under "Manual actions required".
  const acted = report.rollback.filter((r) => r.action !== 'manual');
  if (acted.length > 0) {
    lines.push('Rollback:');
    for (const r of acted)
      lines.push(
        `  ${r.ok ? '✔' : '✖'} ${ROLLBACK_VERBS[r.action]} ${r.target}${r.taskId ? ` (${r.taskId})` : ''}: ${terminalLine(r.message)}`,
      );
  }
  if (report.manual.length > 0) {
    lines.push('Manual actions required:');
    for (const m of report.manual) lines.push(`  ! ${m.instruction}`);
  }
  if (report.achieved.rtoMs !== undefined && report.outcome === 'succeeded') {
    const target = report.targets.rtoMs !== undefined ? ` (target ${formatDuration(report.targets.rtoMs)})` : '';
    lines.push(`Time to recover${isScaled(report) ? ' (simulated)' : ''}: ${formatDuration(report.achieved.rtoMs)}${target}`);
  }
  return `${lines.join('\n')}\n`;
}
