import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderHtmlReport } from '../engine/report/html/render.js';
import { esc } from '../engine/report/html/escape.js';
import { blankReport, type RunReport } from '../engine/state/report-types.js';
import { repoRoot } from './helpers/paths.js';

const load = (name: string): RunReport =>
  JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', 'reports', `${name}.json`), 'utf8')) as RunReport;
const count = (html: string, re: RegExp) => (html.match(re) ?? []).length;
const partial = load('partial-failure');
const html = renderHtmlReport(partial, { generatedAt: '2026-03-14T10:00:00Z' });
const okReport = load('succeeded');
const okHtml = renderHtmlReport(okReport);

/** Every tag the renderer itself writes; a data string that leaks markup adds another. */
const OWN_TAGS = new Set(
  'html head meta title style body main header h1 h2 p div span dl dt dd table thead tbody tr th td code section ol ul li br strong svg defs pattern rect path g text line figure footer'.split(
    ' ',
  ),
);

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) strings(v, out);
  return out;
}

test('every step and every VM of the report is on the page, escaped', () => {
  for (const step of partial.steps) {
    assert.ok(html.includes(esc(step.name)), `step name ${step.name}`);
    assert.ok(html.includes(`data-step="${esc(step.id)}"`), `steps table row ${step.id}`);
    for (const vm of step.vms ?? []) assert.ok(html.includes(`data-vm="${esc(`${step.id}/${vm.name}`)}"`), `VM row ${vm.name}`);
  }
  assert.is(count(html, /<tr data-step=/g), partial.steps.length);
  assert.is(count(html, /<tr data-vm=/g), 8);
  assert.ok(html.includes('erp-db02 &quot;replica&quot; &amp; &lt;b&gt;'));
  assert.ok(html.includes('not enough free space on datastore &#39;DS&lt;01&gt;&#39; &amp; &quot;retry later&quot;'));
});

test("a resumed run names the run it went on from, and says that run's work is not on this page", () => {
  assert.not.match(okHtml, 'Resumes');
  const page = renderHtmlReport({ ...okReport, resumes: '20261127T102233Z-<b>' });
  assert.match(page, '<dt>Resumes</dt><dd><code>20261127T102233Z-&lt;b&gt;</code>');
  assert.match(page, 'what it did is not in this report');
});

test("no data string reaches the page unescaped: only the renderer's own tags exist", () => {
  for (const s of strings(partial)) {
    if (/[<>&"]/.test(s)) assert.not.ok(html.includes(s), `raw data string on the page: ${s}`);
  }
  const body = html.replace(/<style>[\s\S]*?<\/style>/, '');
  const tags = [...body.matchAll(/<\/?([a-zA-Z][\w-]*)/g)].map((m) => m[1]!.toLowerCase());
  const foreign = tags.filter((t) => !OWN_TAGS.has(t));
  assert.equal(foreign, [], `tags not written by the renderer: ${foreign.join(', ')}`);
  assert.not.ok(html.includes('<b>'));
  assert.not.ok(html.includes('<prod>'));
});

test('the page is self-contained: no script, no external resource, URLs only as text', () => {
  for (const page of [html, okHtml]) {
    assert.not.match(page, /<script/i);
    assert.not.match(page, /<link|<img|<iframe|<object|@import/i);
    assert.not.match(page, /\s(src|href)=/i);
    assert.equal(
      [...page.matchAll(/url\(([^)]*)\)/g)].map((m) => m[1]),
      ['#hatch'],
    );
    const urls = page.match(/https?:\/\/[^\s"'<)&]+/g) ?? [];
    assert.ok(urls.length > 0);
    for (const u of urls) assert.is(u, partial.server.url);
    assert.match(page, /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;/);
  }
});

test('the timeline has one bar per started step, VM and rollback action, coloured by outcome', () => {
  assert.is(count(html, /<rect class="bar /g), 13);
  assert.is(count(html, /class="bar bar-succeeded"/g), 8);
  assert.is(count(html, /class="bar bar-failed"/g), 4);
  assert.is(count(html, /class="bar bar-stopped"/g), 1);
  assert.is(count(html, /<rect class="bar [^>]*><title>/g), 13, 'each bar has a tooltip');
  assert.match(html, /<rect class="bar bar-failed" data-row="db\/erp-db02 &quot;replica&quot; &amp; &lt;b&gt;" data-kind="vm"/);
  assert.match(html, /data-row="rollback\/1" data-kind="rollback" data-outcome="succeeded"/);
  // The skipped step and its VMs have rows but no bar.
  assert.match(html, /<g class="row row-step" data-row="app">[\s\S]*?>skipped<\/text>/);
  assert.is(count(okHtml, /<rect class="bar /g), 9);
  assert.is(count(okHtml, /class="bar bar-skipped"/g), 1);
});

test('retries, session renewals and rollback start are ticks with tooltips', () => {
  assert.is(count(html, /<line class="tick tick-retry"/g), 2);
  assert.is(count(html, /<line class="tick tick-session-renewal"/g), 1);
  assert.is(count(html, /<line class="tick tick-rollback-start"/g), 1);
  assert.match(html, /<title>retry at 09:00:15 \(step fw\): exit 1 \(&quot;rule &lt;42&gt; busy&quot;\)/);
  assert.match(html, /class="marker-recovered"/);
  // The 15 min target lies beyond a 6 min run: no line drawn outside the chart.
  assert.not.match(html, /class="marker-target"/);
  // The successful run took 11m 20s of its 15 min budget: the axis stretches to show the target.
  assert.match(okHtml, /<line class="marker-target"[^>]*><title>RTO target: 15m<\/title>/);
  assert.match(okHtml, />14:00<\/text>/);
});

test('what remains to be done by hand comes first, before the timeline; absent when nothing is left', () => {
  const manual = html.indexOf('id="manual"');
  assert.ok(manual > 0 && manual < html.indexOf('id="timeline"') && manual < html.indexOf('class="meta"'));
  assert.match(html, /What remains to be done by hand \(2\)/);
  assert.match(html, /erp-db01<\/strong> <span class="badge">still failed over/);
  assert.match(html, /rollback failed<\/span>/);
  assert.not.match(okHtml, /id="manual"/);
});

test('the header says what ran, where, by whom, and the outcome against the targets', () => {
  assert.match(
    html,
    /<h1><span class="rehearsal">REHEARSAL \(simulated EM\)<\/span> ERP &lt;prod&gt; &amp; &quot;finance&quot; DR drill<\/h1>/,
  );
  assert.match(html, /4b825dc642cb6eb9a060e54bf8d69288fbee4904/);
  assert.match(html, /alice@dr-jump01/);
  assert.match(html, /<span class="badge">simulated<\/span>/);
  assert.match(html, /<code>drill &lt;Q1&gt; &amp; &quot;audit&quot;<\/code>/);
  assert.match(html, /class="outcome o-stopped" data-outcome="rolled-back"/);
  assert.match(html, /not recovered<\/span>/);
  assert.match(html, /last successful failover after 4m10s/);
  assert.match(html, /id="rpo"[\s\S]*?42s[\s\S]*?met<\/span> <span class="muted">target 1m</);
  assert.match(html, /generated 2026-03-14T10:00:00Z/);
  assert.not.match(okHtml, /generated /);
  assert.match(okHtml, /class="outcome o-succeeded"/);
  assert.match(okHtml, /id="rto"[\s\S]*?10m40s[\s\S]*?met<\/span>/);
  assert.match(okHtml, /<span class="badge">real EM<\/span>/);
});

test('a missed RTO or RPO target says "missed"; no target says so', () => {
  const missed = renderHtmlReport({ ...okReport, targets: { rtoMs: 600_000, rpoMs: 10_000 } });
  assert.match(missed, /id="rto"[\s\S]*?missed<\/span> <span class="muted">target 10m</);
  assert.match(missed, /id="rpo"[\s\S]*?missed<\/span> <span class="muted">target 10s/);
  const none = renderHtmlReport({ ...okReport, targets: {} });
  assert.is(count(none, /no target declared/g), 2);
});

test('an interrupted run shows in-flight VMs as running bars up to the end of the report', () => {
  const report = structuredClone(okReport);
  report.outcome = 'interrupted';
  report.endedAt = '2026-04-02T14:08:00.000Z';
  const web = report.steps.find((s) => s.id === 'web')!;
  web.outcome = 'running';
  delete web.endedAt;
  for (const vm of web.vms!) {
    vm.state = 'running';
    delete vm.finishedAt;
    delete vm.durationMs;
  }
  report.steps = report.steps.filter((s) => !['smoke', 'notify'].includes(s.id));
  const page = renderHtmlReport(report);
  assert.is(count(page, /class="bar bar-running"/g), 3);
  assert.match(page, /data-row="web\/web-01"[^>]*x="[\d.]+" y="[\d.]+" width="[\d.]+"/);
  assert.match(page, /class="outcome o-stopped" data-outcome="interrupted"/);
});

test('prints on A4 landscape and has light and dark colour tokens; outcome is never colour alone', () => {
  assert.match(html, /@page \{ size: A4 landscape/);
  assert.match(html, /@media \(prefers-color-scheme: dark\)/);
  assert.match(html, /@media print/);
  assert.match(html, /<td class="state o-failed" data-outcome="failed"><span aria-hidden="true">✘<\/span> failed<\/td>/);
  assert.match(html, /<td class="state o-stopped" data-outcome="stopped"><span aria-hidden="true">■<\/span> stopped<\/td>/);
});

test('a bare report (a run that died before its first step) still renders', () => {
  const bare = blankReport('r1', { playbook: { name: 'p', file: '', sha256: '' } });
  const page = renderHtmlReport(bare);
  assert.is(count(page, /<rect class="bar /g), 0);
  assert.match(page, /class="outcome o-running" data-outcome="running"/);
  assert.match(page, /No VM was part of this run/);
  assert.not.match(page, /NaN|undefined/);
});

test('the headline never says more than the VM table: a "rolled-back" report with a VM still failed over is headlined Failed, and counts it', () => {
  assert.is(partial.outcome, 'rolled-back');
  const banner = /<div class="outcome[^>]*>.*?<\/div>/.exec(html)?.[0] ?? '';
  assert.match(banner, '<span>Failed</span>');
  assert.match(banner, '1 VM still failed over (EM cannot undo a CDP failover)');
  assert.not.match(banner, 'Rolled back');
});

test.run();
