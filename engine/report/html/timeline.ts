// The recovery timeline as inline SVG (Gantt style): a label column, then one bar per row
// from request to finish, ticks for retries and session renewals, the RTO target and the
// moment of recovery as vertical lines. Styling comes from the page's CSS tokens, so the
// chart follows the light/dark theme; every bar carries a <title> tooltip.

import type { RunEvent, RunReport } from '../../state/report-types.js';
import { ticks } from './axis.js';
import { attrs, esc, truncate } from './escape.js';
import { formatDuration } from '../../duration.js';
import { formatClock, formatElapsed, icon, ms } from './format.js';
import { buildTimeline, type TimelineRow } from './timeline-rows.js';

const WIDTH = 1200;
const LABEL_W = 330;
const X0 = LABEL_W + 10;
const X1 = WIDTH - 24;
const AXIS_H = 34;
const ROW_H = 22;
const BAR_H = 12;
const MIN_BAR = 3;

export function renderTimeline(report: RunReport): string {
  const tl = buildTimeline(report);
  const span = tl.t1 - tl.t0;
  const x = (t: number) => X0 + ((t - tl.t0) / span) * (X1 - X0);
  const rowY = (i: number) => AXIS_H + i * ROW_H;
  const height = AXIS_H + tl.rows.length * ROW_H + 8;
  const bottom = height - 8;
  const rowIndex = new Map(tl.rows.map((r, i) => [r.stepId ?? `#${r.key}`, i]));

  const parts: string[] = [];
  parts.push(
    `<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
      `<rect width="6" height="6"></rect><path d="M0 0 V6"></path></pattern></defs>`,
  );
  tl.rows.forEach((_, i) => {
    if (i % 2 === 1) parts.push(`<rect class="stripe" x="0" y="${rowY(i)}" width="${WIDTH}" height="${ROW_H}"></rect>`);
  });
  parts.push(axis(span, x, bottom, tl.t0));
  for (const [i, row] of tl.rows.entries()) parts.push(renderRow(row, rowY(i), x));
  for (const e of tl.stepEvents) {
    const i = e.stepId ? rowIndex.get(e.stepId) : undefined;
    if (i !== undefined) parts.push(tick(e, x, rowY(i) + 2, rowY(i) + ROW_H - 2));
  }
  for (const e of tl.globalEvents) parts.push(tick(e, x, AXIS_H - 4, bottom));
  parts.push(markers(report, tl.t0, tl.t1, x, bottom));

  return (
    `<svg class="timeline" role="img" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" ` +
    `preserveAspectRatio="xMinYMin meet" aria-label="${esc(`Recovery timeline of ${report.playbook.name}`)}">` +
    `<title>${esc(`Recovery timeline: ${report.playbook.name}`)}</title>${parts.join('')}</svg>`
  );
}

function axis(span: number, x: (t: number) => number, bottom: number, t0: number): string {
  const out = ['<g class="axis">'];
  for (const offset of ticks(span)) {
    const px = x(t0 + offset).toFixed(1);
    out.push(`<line class="grid" x1="${px}" y1="${AXIS_H - 6}" x2="${px}" y2="${bottom}"></line>`);
    out.push(`<text x="${px}" y="${AXIS_H - 10}" text-anchor="middle">${esc(formatElapsed(offset))}</text>`);
  }
  out.push(`<text x="0" y="${AXIS_H - 10}">${esc(`elapsed (m:ss) since ${formatClock(new Date(t0).toISOString())} UTC`)}</text>`);
  out.push('</g>');
  return out.join('');
}

function renderRow(row: TimelineRow, y: number, x: (t: number) => number): string {
  const labelX = 6 + row.depth * 16;
  // Step rows are bold (wider glyphs): fewer characters fit before the bars start.
  const maxChars = Math.floor((LABEL_W - labelX) / (row.depth === 0 ? 7.8 : 6.6));
  const mid = y + ROW_H / 2;
  const out: string[] = [`<g class="row row-${row.kind}"${attrs({ 'data-row': row.key })}>`];
  if (row.kind === 'section') {
    out.push(`<text class="section-label" x="${labelX}" y="${mid + 4}">${esc(row.label)}</text></g>`);
    return out.join('');
  }
  const label = `${icon(row.tone)} ${truncate(row.label, maxChars)}`;
  out.push(
    `<text class="row-label depth-${Math.min(row.depth, 2)} o-${row.tone}" x="${labelX}" y="${mid + 4}">` +
      `<title>${esc(row.tooltip)}</title>${esc(label)}</text>`,
  );
  if (row.start === undefined || row.end === undefined) {
    out.push(`<text class="note" x="${X0 + 4}" y="${mid + 4}">${esc(row.note ?? '')}</text></g>`);
    return out.join('');
  }
  const bx = x(row.start);
  const bw = Math.max(MIN_BAR, x(row.end) - bx);
  out.push(
    `<rect${attrs({ class: `bar bar-${row.tone}`, 'data-row': row.key, 'data-kind': row.kind, 'data-outcome': row.tone })}` +
      ` x="${bx.toFixed(1)}" y="${mid - BAR_H / 2}" width="${bw.toFixed(1)}" height="${BAR_H}" rx="2">` +
      `<title>${esc(row.tooltip)}</title></rect>`,
  );
  // Outcome in words beside the bar: readable in print and without colour.
  const word =
    row.kind === 'rollback'
      ? row.tone === 'succeeded'
        ? 'done'
        : 'failed'
      : row.tone === 'skipped'
        ? 'skipped'
        : formatDuration(row.end - row.start);
  const text = `${icon(row.tone)} ${word}`;
  const right = bx + bw + 5;
  const fits = right + text.length * 6.5 < X1 + 20;
  out.push(
    `<text class="bar-text o-${row.tone}" x="${(fits ? right : bx - 5).toFixed(1)}" ` +
      `y="${mid + 4}"${fits ? '' : ' text-anchor="end"'}>${esc(text)}</text></g>`,
  );
  return out.join('');
}

function tick(e: RunEvent, x: (t: number) => number, y1: number, y2: number): string {
  const px = x(ms(e.at) ?? 0).toFixed(1);
  const tip = `${e.type} at ${formatClock(e.at)}${e.stepId ? ` (step ${e.stepId})` : ''}: ${e.message}`;
  return (
    `<line${attrs({ class: `tick tick-${e.type}`, 'data-event': e.type })} x1="${px}" y1="${y1}" x2="${px}" y2="${y2}">` +
    `<title>${esc(tip)}</title></line>`
  );
}

function markers(report: RunReport, t0: number, t1: number, x: (t: number) => number, bottom: number): string {
  const out: string[] = [];
  const line = (cls: string, t: number, tip: string) => {
    const px = x(t).toFixed(1);
    out.push(`<line class="${cls}" x1="${px}" y1="${AXIS_H - 6}" x2="${px}" y2="${bottom}"><title>${esc(tip)}</title></line>`);
  };
  const { rtoMs } = report.targets;
  if (rtoMs !== undefined && t0 + rtoMs <= t1) line('marker-target', t0 + rtoMs, `RTO target: ${formatDuration(rtoMs)}`);
  const achieved = report.achieved.rtoMs;
  if (achieved !== undefined && t0 + achieved <= t1)
    line('marker-recovered', t0 + achieved, `last successful failover: ${formatDuration(achieved)} after start`);
  return out.join('');
}
