// renderHtmlReport: one self-contained HTML file (inline CSS and SVG, no script, no
// external resource) to attach to a ticket or archive as audit evidence. The Content-
// Security-Policy forbids any fetch, so a browser proves the page needs nothing else.

import { isScaled, rehearsalPrefix } from '../rehearsal-label.js';
import type { RunReport } from '../../state/report-types.js';
import { esc } from './escape.js';
import { icon, type Tone } from './format.js';
import { renderHeader } from './header.js';
import { renderEvents, renderRollbackTable } from './log-tables.js';
import { STYLES } from './styles.js';
import { renderStepsTable, renderVmTable } from './tables.js';
import { renderTimeline } from './timeline.js';

export interface HtmlReportOptions {
  /** When the HTML was produced (ISO 8601); shown in the footer. Omitted when absent. */
  generatedAt?: string;
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const LEGEND: [Tone, string][] = [
  ['succeeded', 'succeeded / failed over / done'],
  ['failed', 'failed'],
  ['stopped', 'stopped (task deleted)'],
  ['unknown', 'outcome unknown'],
  ['skipped', 'skipped'],
  ['running', 'running'],
];

function legend(): string {
  const items = LEGEND.map(([tone, text]) => `<li><span class="swatch sw-${tone}"></span>${icon(tone)} ${esc(text)}</li>`);
  items.push(
    '<li><span class="swatch sw-line sw-retry"></span>retry (on its step)</li>',
    '<li><span class="swatch sw-line sw-global"></span>session renewal / rollback start</li>',
    '<li><span class="swatch sw-line sw-target"></span>RTO target</li>',
    '<li><span class="swatch sw-line sw-recovered"></span>last successful failover</li>',
  );
  return `<ul class="legend">${items.join('')}</ul>`;
}

export function renderHtmlReport(report: RunReport, options: HtmlReportOptions = {}): string {
  const title = `${rehearsalPrefix(report)}DR run report: ${report.playbook.name} (${report.outcome})`;
  const footer =
    `<footer>cdp-runbook report (${esc(report.schema)}) · playbook sha256 <code>${esc(report.playbook.sha256)}</code>` +
    (options.generatedAt ? ` · generated ${esc(options.generatedAt)}` : '') +
    ` · times in UTC</footer>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta http-equiv="Content-Security-Policy" content="${esc(CSP)}">
<meta name="generator" content="cdp-runbook">
<title>${esc(title)}</title>
<style>${STYLES}</style>
</head>
<body>
<main>
${renderHeader(report)}
<section class="timeline-section" id="timeline"><h2>Recovery timeline${isScaled(report) ? ' (simulated time)' : ''}</h2>
<figure>${renderTimeline(report)}</figure>
${legend()}</section>
<section id="steps"><h2>Steps</h2>${renderStepsTable(report)}</section>
<section id="vms"><h2>Virtual machines</h2>${renderVmTable(report)}</section>
<section id="rollback"><h2>Rollback</h2>${renderRollbackTable(report)}</section>
<section id="events"><h2>Events</h2>${renderEvents(report)}</section>
${footer}
</main>
</body>
</html>
`;
}
