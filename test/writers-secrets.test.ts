// One SecretFilter shared by every file a run writes: none of them may hold a secret.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openJournal } from '../engine/state/journal.js';
import { SecretFilter } from '../engine/state/secret-filter.js';
import { appendGithubSummary } from '../engine/report/github-summary.js';
import { writeJsonReport } from '../engine/report/json.js';
import { writeJunit } from '../engine/report/junit.js';
import { openLogFile } from '../engine/report/log-file.js';
import { FIXTURE_SECRETS, partlyFailedReport } from './helpers/report-fixture.js';

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)]));
}

test('no password, token or Basic header value in any file written (journal, log, JSON, JUnit, summary)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-secrets-'));
  const basic = Buffer.from(`dr-operator:${FIXTURE_SECRETS.password}`).toString('base64');
  const secrets = new SecretFilter();
  for (const s of [FIXTURE_SECRETS.password, FIXTURE_SECRETS.token, basic]) secrets.register(s);
  const leak = `password=${FIXTURE_SECRETS.password} token=${FIXTURE_SECRETS.token} Authorization: Basic ${basic}`;

  const report = partlyFailedReport();
  report.steps[3]!.error = leak;
  report.events.push({ at: report.startedAt, type: 'warning', message: leak });
  report.manual[0]!.instruction = leak;

  const journal = openJournal(join(dir, '.runbook'), report.runId, { secrets });
  journal.append({ at: report.startedAt, type: 'request-failed', stepId: 'db', target: 'erp-db01', unknown: true, error: leak });
  journal.close();
  const log = openLogFile(join(dir, 'runbook.log'), { secrets });
  log.log('error', leak, { detail: leak });
  log.close();
  writeJsonReport(join(dir, 'report.json'), report, { secrets });
  writeJunit(join(dir, 'junit.xml'), report, { secrets });
  appendGithubSummary(join(dir, 'summary.md'), report, { secrets });

  const files = walk(dir).filter((f) => !f.endsWith('.gitignore'));
  assert.is(files.length, 5);
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const s of [FIXTURE_SECRETS.password, FIXTURE_SECRETS.token, basic]) assert.not.ok(text.includes(s), `${file} leaks a secret`);
    assert.ok(text.includes('[redacted]'), `${file} shows where it redacted`);
  }
});

test.run();
