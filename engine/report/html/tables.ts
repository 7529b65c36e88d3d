// The detail tables: steps and VMs. Every cell is escaped; outcomes show an icon and a word.

import { approvalLines } from '../../state/approval-text.js';
import { isScaled } from '../rehearsal-label.js';
import type { RunReport, StepReport } from '../../state/report-types.js';
import { esc } from './escape.js';
import { formatDuration } from '../../duration.js';
import { formatClock, icon, ms, toneOf, vmTone, type Tone } from './format.js';
import { orderSteps } from './timeline-rows.js';

export function stateCell(tone: Tone, word: string): string {
  return `<td class="state o-${tone}" data-outcome="${esc(word)}"><span aria-hidden="true">${icon(tone)}</span> ${esc(word)}</td>`;
}

function duration(startIso: string | undefined, endIso: string | undefined, given: number | undefined): string {
  if (given !== undefined) return formatDuration(given);
  const a = ms(startIso);
  const b = ms(endIso);
  return a !== undefined && b !== undefined ? formatDuration(b - a) : '–';
}

function stepDetail(step: StepReport, scaled: boolean): string {
  const parts: string[] = [];
  if (step.skipReason) parts.push(`skipped: ${esc(step.skipReason)}`);
  if (step.error) parts.push(`<strong class="o-failed">${esc(step.error)}</strong>`);
  if (step.plan) {
    const p = step.plan;
    parts.push(
      `plan ${esc(p.name)} (${esc(p.action)})` +
        `${p.taskId ? `, task <code>${esc(p.taskId)}</code>` : ''}${p.message ? `: ${esc(p.message)}` : ''}`,
    );
  }
  if (step.exec) {
    const e = step.exec;
    const code = `<code>${esc(e.command.join(' '))}</code>`;
    if (e.rehearsed === 'not-run') parts.push(`rehearsed, not run: ${code}`);
    else parts.push(`${code}${e.rehearsed ? ' (rehearsal stand-in)' : ''}${e.exitCode !== undefined ? ` → exit ${esc(e.exitCode)}` : ''}`);
  }
  for (const line of approvalLines(step, scaled)) parts.push(esc(line));
  for (const c of step.checks ?? []) {
    parts.push(`<span class="o-${c.ok ? 'succeeded' : 'failed'}">${icon(c.ok ? 'succeeded' : 'failed')}</span> ${esc(c.message)}`);
  }
  if (step.vms?.length) {
    const done = step.vms.filter((v) => v.state === 'failed-over').length;
    if (step.kind !== 'check') parts.push(`<span class="muted">${done} of ${step.vms.length} failed over</span>`);
  }
  return parts.join('<br>');
}

export function renderStepsTable(report: RunReport): string {
  const scaled = isScaled(report);
  const rows = orderSteps(report.steps).map(({ step, depth }) => {
    const tone = toneOf(step.outcome);
    return (
      `<tr data-step="${esc(step.id)}">` +
      `<td class="wrap${depth > 0 ? ' indent-1' : ''}">${depth > 0 ? '↳ ' : ''}<strong>${esc(step.name)}</strong>` +
      `<br><code class="muted">${esc(step.id)}</code></td>` +
      `<td>${esc(step.kind)}</td>` +
      stateCell(tone, step.outcome) +
      `<td class="num">${esc(formatClock(step.startedAt))}</td>` +
      `<td class="num">${esc(duration(step.startedAt, step.endedAt, step.durationMs))}</td>` +
      `<td class="wrap">${stepDetail(step, scaled)}</td></tr>`
    );
  });
  return (
    '<table class="steps"><thead><tr><th>Step</th><th>Kind</th><th>Outcome</th>' +
    `<th>Started (UTC${scaled ? ', simulated' : ''})</th><th>Duration${scaled ? ' (simulated)' : ''}</th><th>Details</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}

export function renderVmTable(report: RunReport): string {
  const rows: string[] = [];
  for (const { step } of orderSteps(report.steps)) {
    for (const vm of step.vms ?? []) {
      const session = vm.restoreSession
        ? `<br><span class="muted">session ${esc(vm.restoreSession.id)}: ` +
          `${esc(vm.restoreSession.state)}${vm.restoreSession.result ? ` / ${esc(vm.restoreSession.result)}` : ''}</span>`
        : '';
      const retries = vm.retries ? `<br><span class="muted">${esc(vm.retries)} ${vm.retries === 1 ? 'retry' : 'retries'}</span>` : '';
      rows.push(
        `<tr data-vm="${esc(`${step.id}/${vm.name}`)}">` +
          `<td class="nowrap"><code>${esc(step.id)}</code></td>` +
          `<td class="wrap"><strong>${esc(vm.name)}</strong>${vm.replica ? `<br><span class="muted">${esc(vm.replica)}</span>` : ''}</td>` +
          `<td class="wrap">${esc(vm.restorePoint)}</td>` +
          `<td class="wrap">${vm.taskId ? `<code>${esc(vm.taskId)}</code>` : '–'}</td>` +
          // A check step only looked at the VM: "not-started" would read as an alarm there.
          (step.kind === 'check' && vm.state === 'not-started' ? stateCell('pending', 'checked') : stateCell(vmTone(vm.state), vm.state)) +
          `<td class="wrap">${vm.message ? esc(vm.message) : '–'}${retries}${session}</td>` +
          `<td class="num">${esc(duration(vm.requestedAt, vm.finishedAt, vm.durationMs))}</td>` +
          `<td class="num">${vm.rpoSeconds !== undefined ? esc(formatDuration(vm.rpoSeconds * 1000)) : '–'}</td></tr>`,
      );
    }
  }
  if (rows.length === 0) return '<p class="muted">No VM was part of this run.</p>';
  return (
    `<table class="vms"><thead><tr><th>Step</th><th>VM</th><th>Restore point</th><th>Task</th><th>State</th>` +
    `<th>Enterprise Manager result</th><th>Duration</th><th>RPO (preflight)</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}
