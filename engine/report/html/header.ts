// The top of the report: what ran, where, by whom, and how it ended, with the measured
// recovery time and data loss against the playbook's targets; then, when anything is
// left, what must still be done by hand.

import { leftWords } from '../../state/outcome-words.js';
import { isScaled, REHEARSAL, timesNote } from '../rehearsal-label.js';
import type { RunReport } from '../../state/report-types.js';
import { esc } from './escape.js';
import { formatDuration } from '../../duration.js';
import { formatTime, icon, ms, toneOf } from './format.js';

const OUTCOME_WORDS: Record<RunReport['outcome'], string> = {
  succeeded: 'Succeeded',
  failed: 'Failed',
  'rolled-back': 'Rolled back',
  interrupted: 'Interrupted',
  running: 'Running',
};

export function renderHeader(report: RunReport): string {
  const tone = toneOf(report.outcome);
  const left = report.outcome === 'succeeded' || report.outcome === 'running' ? '' : leftWords(report);
  const start = ms(report.startedAt);
  const end = ms(report.endedAt);
  const wall = start !== undefined && end !== undefined ? formatDuration(end - start) : '–';
  const pb = report.playbook;
  const server = report.server;
  const scaled = isScaled(report);
  const meta: [string, string][] = [
    ['Run id', `<code>${esc(report.runId)}</code>`],
    ...(report.resumes !== undefined
      ? ([['Resumes', `<code>${esc(report.resumes)}</code> <span class="muted">(what it did is not in this report)</span>`]] as [
          string,
          string,
        ][])
      : []),
    ['Commit', pb.commit ? `<code>${esc(pb.commit)}</code>` : '<span class="muted">not in git</span>'],
    ['Ran by', `<code>${esc(`${report.host.user}@${report.host.hostname}`)}</code>`],
    ['Playbook file', `<code>${esc(pb.file)}</code>`],
    [
      'Server',
      `<code>${esc(server.url)}</code> <span class="badge">${esc(server.media.toUpperCase())}</span>` +
        (server.simulated ? ' <span class="badge">simulated</span>' : ' <span class="badge">real EM</span>') +
        (server.username ? ` <span class="muted">as ${esc(server.username)}</span>` : ''),
    ],
    ['Exit code', report.exitCode !== undefined ? esc(report.exitCode) : '–'],
    ['Started', esc(formatTime(report.startedAt))],
    [
      scaled ? 'Ended (simulated time)' : 'Ended',
      `${esc(formatTime(report.endedAt))} <span class="muted">(${esc(wall)}${scaled ? ' simulated' : ''})</span>`,
    ],
  ];
  const note = timesNote(report);
  return (
    `<header>` +
    `<h1>${server.simulated ? `<span class="rehearsal">${esc(REHEARSAL)}</span> ` : ''}${esc(pb.name)}</h1>` +
    (server.simulated
      ? `<p class="rehearsal-note" role="note"><strong>${esc(REHEARSAL)}</strong>: ` +
        `nothing in this report changed a real Enterprise Manager${note !== undefined ? `; ${esc(note)}` : ''}.</p>`
      : '') +
    (pb.description ? `<p class="subtitle">${esc(pb.description)}</p>` : '') +
    `<div class="banner">` +
    `<div class="outcome o-${tone}" data-outcome="${esc(report.outcome)}"><span class="icon" aria-hidden="true">${icon(tone)}</span>` +
    `<span>${esc(report.outcome === 'rolled-back' && left ? 'Failed' : (OUTCOME_WORDS[report.outcome] ?? report.outcome))}</span>` +
    `${left ? `<span class="left"> · ${esc(left)}</span>` : ''}</div>` +
    rtoCard(report) +
    rpoCard(report) +
    `</div>` +
    renderManual(report) +
    `<dl class="meta">${meta.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>` +
    renderParams(report) +
    `</header>`
  );
}

function verdict(met: boolean): string {
  return met
    ? `<span class="verdict o-succeeded">${icon('succeeded')} met</span>`
    : `<span class="verdict o-failed">${icon('failed')} missed</span>`;
}

function rtoCard(report: RunReport): string {
  const target = report.targets.rtoMs;
  const achieved = report.achieved.rtoMs;
  const recovered = report.outcome === 'succeeded';
  let value = achieved !== undefined ? esc(formatDuration(achieved)) : '–';
  let line: string;
  if (!recovered && report.outcome !== 'running') {
    // A run that did not succeed did not recover, whatever its fastest VM did.
    value = `<span class="o-failed">${icon('failed')} not recovered</span>`;
    line =
      (achieved !== undefined ? `last successful failover after ${esc(formatDuration(achieved))}` : 'no VM failed over') +
      (target !== undefined ? ` <span class="muted">· target ${esc(formatDuration(target))}</span>` : '');
  } else if (target === undefined) line = '<span class="muted">no target declared</span>';
  else if (achieved === undefined) line = `<span class="muted">target ${esc(formatDuration(target))}</span>`;
  else line = `${verdict(achieved <= target)} <span class="muted">target ${esc(formatDuration(target))}</span>`;
  return (
    `<div class="card" id="rto"><div class="label">Time to recover (RTO)</div>` +
    `<div class="value">${value}</div><div>${line}</div></div>`
  );
}

function rpoCard(report: RunReport): string {
  const target = report.targets.rpoMs;
  const worst = report.achieved.worstRpoSeconds;
  const value = worst !== undefined ? esc(formatDuration(worst * 1000)) : '–';
  let line: string;
  if (target === undefined) line = '<span class="muted">no target declared</span>';
  else if (worst === undefined) line = `<span class="muted">target ${esc(formatDuration(target))}, not measured</span>`;
  else line = `${verdict(worst * 1000 <= target)} <span class="muted">target ${esc(formatDuration(target))}</span>`;
  return (
    `<div class="card" id="rpo"><div class="label">Worst data loss (RPO)</div>` +
    `<div class="value">${value}</div><div>${line}</div></div>`
  );
}

const REASONS: Record<string, string> = {
  'failed-over': 'still failed over',
  unknown: 'outcome unknown',
  'rollback-failed': 'rollback failed',
};

/** The operator's to-do list; absent when nothing is left. */
function renderManual(report: RunReport): string {
  if (report.manual.length === 0) return '';
  const items = report.manual.map(
    (m) =>
      `<li><strong>${esc(m.target)}</strong> <span class="badge">${esc(REASONS[m.reason] ?? m.reason)}</span> ` +
      `<span class="muted">step ${esc(m.stepId)}</span><br>${esc(m.instruction)}</li>`,
  );
  return (
    `<section class="manual" id="manual" role="alert"><h2>⚠ What remains to be done by hand (${report.manual.length})</h2>` +
    `<ol>${items.join('')}</ol></section>`
  );
}

function renderParams(report: RunReport): string {
  const entries = Object.entries(report.params);
  if (entries.length === 0) return '<p class="muted">No parameters.</p>';
  const rows = entries.map(
    ([k, v]) =>
      `<tr><td><code>${esc(k)}</code></td><td class="wrap"><code>${esc(typeof v === 'string' ? v : JSON.stringify(v))}</code></td></tr>`,
  );
  return `<table class="params"><thead><tr><th>Parameter</th><th>Value</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}
