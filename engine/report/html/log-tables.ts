// What rollback did, and the run's notable events (retries, session renewals, warnings).

import type { RunReport } from '../../state/report-types.js';
import { esc } from './escape.js';
import { formatClock, formatElapsed, ms } from './format.js';
import { stateCell } from './tables.js';

export function renderRollbackTable(report: RunReport): string {
  if (report.rollback.length === 0) return '<p class="muted">No rollback was needed.</p>';
  const rows = report.rollback.map(
    (a) =>
      `<tr data-rollback="${esc(a.action)}">` +
      `<td class="num">${esc(formatClock(a.at))}</td>` +
      `<td>${esc(a.action)}</td>` +
      `<td><code>${esc(a.stepId)}</code></td>` +
      `<td class="wrap">${esc(a.target)}</td>` +
      `<td>${a.taskId ? `<code>${esc(a.taskId)}</code>` : '–'}</td>` +
      stateCell(a.ok ? 'succeeded' : 'failed', a.ok ? 'done' : 'failed') +
      `<td class="wrap">${esc(a.message)}</td></tr>`,
  );
  return (
    '<table class="rollback"><thead><tr>' +
    '<th>Time (UTC)</th><th>Action</th><th>Step</th><th>Target</th><th>Task</th><th>Result</th><th>Message</th>' +
    '</tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}

export function renderEvents(report: RunReport): string {
  if (report.events.length === 0) return '<p class="muted">No retries, session renewals or warnings.</p>';
  const t0 = ms(report.startedAt);
  const rows = report.events.map((e) => {
    const t = ms(e.at);
    const elapsed = t !== undefined && t0 !== undefined ? `+${formatElapsed(t - t0)}` : '';
    return (
      `<tr data-event="${esc(e.type)}"><td class="num">${esc(formatClock(e.at))}</td><td class="num muted">${esc(elapsed)}</td>` +
      `<td>${esc(e.type)}</td><td>${e.stepId ? `<code>${esc(e.stepId)}</code>` : '–'}</td><td class="wrap">${esc(e.message)}</td></tr>`
    );
  });
  return (
    `<table class="events"><thead><tr><th>Time (UTC)</th><th>Elapsed</th><th>Event</th><th>Step</th><th>Message</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}
