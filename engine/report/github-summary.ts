// GitHub Actions step summary: appended to the file named by GITHUB_STEP_SUMMARY (the
// caller checks the environment). Manual actions first: they are what a reader must act on.

import { appendFileSync } from 'node:fs';
import { formatDuration } from '../duration.js';
import { approvalLines } from '../state/approval-text.js';
import { leftWords } from '../state/outcome-words.js';
import { isScaled, REHEARSAL, timesNote } from './rehearsal-label.js';
import type { RunReport, StepReport, VmReport } from '../state/report-types.js';
import { SecretFilter } from '../state/secret-filter.js';

const ICON: Record<StepReport['outcome'], string> = {
  succeeded: '✅',
  failed: '❌',
  skipped: '⏭️',
  running: '⏳',
  pending: '·',
};

/** A table cell: one line, pipes escaped, Markdown/HTML specials neutralised. */
function mdCell(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/`/g, "'");
}

/** A check step only looked at its VMs: "not-started" would read as an alarm there. */
function vmWord(step: StepReport, vm: VmReport): string {
  if (step.kind !== 'check' || vm.state !== 'not-started') return vm.state;
  return vm.rpoSeconds !== undefined ? `checked (RPO ${vm.rpoSeconds}s)` : 'checked';
}

export function renderGithubSummary(input: RunReport, secrets: SecretFilter = new SecretFilter()): string {
  const r = secrets.redact(input);
  const total = r.endedAt ? Date.parse(r.endedAt) - Date.parse(r.startedAt) : undefined;
  const out: string[] = [];
  const left = r.outcome === 'succeeded' || r.outcome === 'running' ? '' : leftWords(r);
  out.push(
    `### ${r.server.simulated ? `${REHEARSAL}: ` : ''}Runbook ${mdCell(r.playbook.name)}: ${r.outcome}${left ? ` · ${mdCell(left)}` : ''}`,
    '',
  );
  const note = timesNote(r);
  if (r.server.simulated)
    out.push(`> **${REHEARSAL}**: nothing here changed a real Enterprise Manager${note !== undefined ? `; ${mdCell(note)}` : ''}.`, '');
  const took = total !== undefined ? ` · ${formatDuration(total)}` : '';
  out.push(`Run \`${r.runId}\` · started ${r.startedAt}${took}${r.exitCode !== undefined ? ` · exit ${r.exitCode}` : ''}`);
  const rtoTarget = r.targets.rtoMs !== undefined ? ` (target ${formatDuration(r.targets.rtoMs)})` : '';
  const rto = [
    r.achieved.rtoMs !== undefined ? `RTO achieved ${formatDuration(r.achieved.rtoMs)}${rtoTarget}` : '',
    r.achieved.worstRpoSeconds !== undefined ? `worst RPO ${r.achieved.worstRpoSeconds}s` : '',
  ].filter(Boolean);
  if (rto.length) out.push('', rto.join(' · '));
  out.push('');
  if (r.manual.length) {
    out.push(`#### ⚠️ Manual actions (${r.manual.length})`, '');
    for (const m of r.manual) out.push(`- **${mdCell(m.target)}** (${m.reason}): ${mdCell(m.instruction)}`);
    out.push('');
  }
  out.push('| Step | Kind | Outcome | Duration | Details |', '| --- | --- | --- | --- | --- |');
  for (const s of r.steps) {
    const name = s.parentId ? `↳ ${s.name}` : s.name;
    const vms = (s.vms ?? []).map((v) => `${v.name}: ${vmWord(s, v)}${v.message && v.state !== 'failed-over' ? ` (${v.message})` : ''}`);
    const details = [
      s.error,
      s.skipReason,
      ...vms,
      s.plan ? `plan ${s.plan.action} ${s.plan.name}` : undefined,
      ...approvalLines(s, isScaled(r)),
    ].filter((x): x is string => !!x);
    out.push(
      `| ${mdCell(name)} | ${s.kind} | ${ICON[s.outcome]} ${s.outcome} | ` +
        `${s.durationMs !== undefined ? formatDuration(s.durationMs) : ''} | ` +
        `${mdCell(details.join('; '))} |`,
    );
  }
  if (r.rollback.length) {
    out.push('', '#### Rollback', '');
    for (const a of r.rollback)
      out.push(`- ${a.ok ? '✅' : '❌'} ${a.action} ${mdCell(a.target)}${a.taskId ? ` (task ${a.taskId})` : ''}: ${mdCell(a.message)}`);
  }
  const notable = r.events;
  if (notable.length) {
    out.push('', `<details><summary>Events (${notable.length})</summary>`, '');
    for (const e of notable) out.push(`- ${e.at} ${e.type}${e.stepId ? ` [${mdCell(e.stepId)}]` : ''}: ${mdCell(e.message)}`);
    out.push('', '</details>');
  }
  return `${out.join('\n')}\n\n`;
}

export function appendGithubSummary(file: string, report: RunReport, options: { secrets?: SecretFilter } = {}): void {
  appendFileSync(file, renderGithubSummary(report, options.secrets));
}
