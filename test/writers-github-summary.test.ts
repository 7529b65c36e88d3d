import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SecretFilter } from '../engine/state/secret-filter.js';
import { appendGithubSummary, renderGithubSummary } from '../engine/report/github-summary.js';
import { FIXTURE_SECRETS, partlyFailedReport } from './helpers/report-fixture.js';

test('the summary has a heading with the outcome, the manual actions before the step table', () => {
  const md = renderGithubSummary(partlyFailedReport());
  assert.match(
    md,
    /^### REHEARSAL \(simulated EM\): Runbook ERP &lt;tier-1&gt; &amp; "friends": failed · 2 VMs still failed over \(EM cannot undo a CDP failover\)/,
  );
  const manual = md.indexOf('Manual actions (2)');
  const table = md.indexOf('| Step | Kind | Outcome | Duration | Details |');
  assert.ok(manual > 0 && table > manual, 'manual actions come first');
  assert.match(md, 'RTO achieved 5m12s (target 15m)');
});

test('one table row per step; pipes in names do not break the table', () => {
  const md = renderGithubSummary(partlyFailedReport());
  const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Step') && !l.startsWith('| ---'));
  assert.is(rows.length, 6);
  // A row has exactly 6 unescaped pipes (5 cells).
  for (const row of rows) assert.is(row.replace(/\\\|/g, '').split('|').length - 1, 6, row);
  const notify = rows.find((r) => r.includes('Notify'))!;
  assert.match(notify, 'Notify \\| chat');
  assert.match(notify, '⏭️ skipped');
  const app = rows.find((r) => r.includes('App tier'))!;
  assert.match(app, '↳ App tier');
  assert.match(app, 'erp-app02: failed (Failed to start failover');
  assert.match(app, '7m05s');
});

test('rollback actions and events are listed', () => {
  const md = renderGithubSummary(partlyFailedReport());
  assert.match(md, '- ✅ delete-task erp-app03 &lt;edge&gt; (task task-4)');
  assert.match(md, '- ❌ exec-undo');
  assert.match(md, 'Events (4)');
});

test('appendGithubSummary appends (a job may hold several steps) and redacts secrets', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'runbook-gh-')), 'summary.md');
  writeFileSync(file, '## earlier step\n');
  const report = partlyFailedReport();
  report.manual[0]!.instruction = `log on with ${FIXTURE_SECRETS.password}`;
  const secrets = new SecretFilter();
  secrets.register(FIXTURE_SECRETS.password);
  appendGithubSummary(file, report, { secrets });
  appendGithubSummary(file, report, { secrets });
  const md = readFileSync(file, 'utf8');
  assert.ok(md.startsWith('## earlier step\n### REHEARSAL (simulated EM): Runbook'));
  assert.is(md.split('### REHEARSAL (simulated EM): Runbook').length - 1, 2);
  assert.not.ok(md.includes(FIXTURE_SECRETS.password));
  assert.match(md, 'log on with [redacted]');
});

test('VMs a check step looked at read "checked" (with their RPO), not "not-started"', () => {
  const md = renderGithubSummary(partlyFailedReport());
  const row = md.split('\n').find((l) => l.includes('RPO guard'))!;
  assert.match(row, 'erp-db01: checked (RPO 14s)');
  assert.not.match(md, 'not-started');
});
test.run();
