// The final summary of a run: what is failed over, failed, stopped, unknown, what rollback
// did and what the operator must still do. Pure: the command prints it.

import { duration } from '../plan/render.js';
import type { RunReport, VmState } from './report-types.js';

const LABELS: [VmState, string][] = [
  ['failed-over', 'failed over'],
  ['failed', 'failed'],
  ['stopped', 'stopped'],
  ['unknown', 'UNKNOWN'],
  ['running', 'still running'],
  ['not-started', 'not started'],
];

export function renderSummary(report: RunReport): string {
  const lines: string[] = [];
  const took = report.endedAt ? ` in ${duration(Date.parse(report.endedAt) - Date.parse(report.startedAt))}` : '';
  const verdict = { succeeded: 'succeeded', failed: 'FAILED', 'rolled-back': 'FAILED and was rolled back', interrupted: 'was INTERRUPTED and rolled back', running: 'is running' }[report.outcome];
  lines.push(`Run ${report.runId} of "${report.playbook.name}" ${verdict}${took}.`);
  const vms = report.steps.filter((s) => s.kind === 'failover' || s.kind === 'failoverVapp').flatMap((s) => (s.vms ?? []).map((v) => ({ ...v, step: s.id })));
  for (const [state, label] of LABELS) {
    const these = vms.filter((v) => v.state === state);
    if (these.length === 0) continue;
    const detail = state === 'failed-over' || state === 'not-started' ? these.map((v) => v.name).join(', ') : these.map((v) => `${v.name}${v.message ? ` (${v.message})` : ''}`).join('; ');
    lines.push(`  ${`${label}:`.padEnd(15)}${detail}`);
  }
  for (const s of report.steps) {
    if (s.outcome === 'failed' && s.kind !== 'failover' && s.kind !== 'failoverVapp' && s.kind !== 'parallel') lines.push(`  step "${s.id}" failed: ${s.error ?? ''}`);
  }
  if (report.rollback.length > 0) {
    lines.push('Rollback:');
    for (const r of report.rollback) if (r.action !== 'manual') lines.push(`  ${r.ok ? '✔' : '✖'} ${r.action} ${r.target}${r.taskId ? ` (${r.taskId})` : ''}: ${r.message}`);
  }
  if (report.manual.length > 0) {
    lines.push('Manual actions required:');
    for (const m of report.manual) lines.push(`  ! ${m.instruction}`);
  }
  if (report.achieved.rtoMs !== undefined && report.outcome === 'succeeded') {
    const target = report.targets.rtoMs !== undefined ? ` (target ${duration(report.targets.rtoMs)})` : '';
    lines.push(`Time to recover: ${duration(report.achieved.rtoMs)}${target}`);
  }
  return `${lines.join('\n')}\n`;
}
