// A rehearsal's evidence cannot be mistaken for a real run's: every report format leads with
// REHEARSAL (simulated EM), labels simulated times, and keeps real-time approval stamps apart.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderHtmlReport } from '../engine/report/html/render.js';
import type { RunReport } from '../engine/state/report-types.js';
import { renderGithubSummary } from '../engine/report/github-summary.js';
import { writeJsonReport } from '../engine/report/json.js';
import { renderJunit } from '../engine/report/junit.js';
import { partlyFailedReport } from './helpers/report-fixture.js';

function rehearsal(): RunReport {
  const r = partlyFailedReport();
  r.server = { ...r.server, simulated: true, timeScale: 60 };
  r.steps[0]!.approval = { decision: 'approved', by: 'alice', at: '2026-11-27T10:23:05.000Z', via: 'runbook approve' };
  return r;
}
function real(): RunReport {
  const r = partlyFailedReport();
  r.server = { url: r.server.url, media: r.server.media, simulated: false };
  return r;
}
const json = (r: RunReport) => {
  const file = join(mkdtempSync(join(tmpdir(), 'runbook-rehearsal-json-')), 'r.json');
  writeJsonReport(file, r);
  return readFileSync(file, 'utf8');
};

test('JSON: the first field is a headline that starts with REHEARSAL (simulated EM), then what the times mean', () => {
  const r = rehearsal();
  const text = json(r);
  const parsed = JSON.parse(text) as Record<string, unknown>;
  assert.is(Object.keys(parsed)[0], 'headline');
  assert.is(parsed.headline, `REHEARSAL (simulated EM): ${r.playbook.name}: ${r.outcome}`);
  assert.match(String(parsed.timesNote), 'simulated time');
  assert.match(String(parsed.timesNote), 'approval decisions are stamped in real time');
  const plain = JSON.parse(json(real())) as Record<string, unknown>;
  assert.is(plain.headline, `${r.playbook.name}: ${r.outcome}`);
  assert.is(plain.timesNote, undefined);
});

test('JUnit: the suite names say REHEARSAL; its output and properties say what the times are', () => {
  const xml = renderJunit(rehearsal());
  assert.match(xml, '<testsuites name="REHEARSAL (simulated EM): cdp-runbook"');
  assert.match(xml, '<testsuite name="REHEARSAL (simulated EM): ERP &lt;tier-1&gt;');
  assert.match(xml, /<property name="times" value="times are simulated time/);
  assert.match(xml, 'read 2026-11-27T10:23:05.000Z (real time)');
  assert.not.match(renderJunit(real()), 'REHEARSAL');
});

test('GitHub summary: the heading starts with REHEARSAL (simulated EM) and a quote says nothing real changed', () => {
  const md = renderGithubSummary(rehearsal());
  assert.match(md, /^### REHEARSAL \(simulated EM\): Runbook /);
  assert.match(md, '> **REHEARSAL (simulated EM)**: nothing here changed a real Enterprise Manager; times are simulated time');
  assert.match(md, '(real time)');
  assert.not.match(renderGithubSummary(real()), 'REHEARSAL');
});

test('HTML: the title and the h1 say REHEARSAL (simulated EM); simulated times and the timeline are labelled', () => {
  const html = renderHtmlReport(rehearsal());
  assert.match(html, '<title>REHEARSAL (simulated EM): DR run report');
  assert.match(html, /<h1><span class="rehearsal">REHEARSAL \(simulated EM\)<\/span> /);
  assert.match(html, 'nothing in this report changed a real Enterprise Manager; times are simulated time');
  assert.match(html, '<h2>Recovery timeline (simulated time)</h2>');
  assert.match(html, 'Started (UTC, simulated)');
  assert.match(html, '(real time)');
  const plain = renderHtmlReport(real());
  assert.not.match(plain, 'REHEARSAL');
  assert.not.match(plain, 'simulated time');
});

test.run();
