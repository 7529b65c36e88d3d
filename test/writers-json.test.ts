import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunReport } from '../engine/state/report-types.js';
import { SecretFilter } from '../engine/state/secret-filter.js';
import { writeJsonReport } from '../engine/report/json.js';
import { FIXTURE_SECRETS, partlyFailedReport } from './helpers/report-fixture.js';

const dir = () => mkdtempSync(join(tmpdir(), 'runbook-json-'));

test('the JSON report round-trips the run report exactly, pretty-printed, led by its headline', () => {
  const file = join(dir(), 'out', 'report.json');
  const report = partlyFailedReport();
  writeJsonReport(file, report);
  const text = readFileSync(file, 'utf8');
  const { headline, ...rest } = JSON.parse(text) as RunReport & { headline: string };
  assert.is(headline, `REHEARSAL (simulated EM): ${report.playbook.name}: ${report.outcome}`);
  assert.equal(rest, report);
  assert.match(text, '\n  "runId": "20261127T102233Z-3f9a"');
  assert.ok(text.endsWith('}\n'));
});

test('the JSON report is written atomically: no temp file left, an old report is replaced whole', () => {
  const d = dir();
  const file = join(d, 'report.json');
  writeJsonReport(file, partlyFailedReport());
  const second = { ...partlyFailedReport(), outcome: 'succeeded' } satisfies RunReport;
  writeJsonReport(file, second);
  assert.equal(readdirSync(d), ['report.json']);
  assert.is(JSON.parse(readFileSync(file, 'utf8')).outcome, 'succeeded');
});

test('registered secrets never reach the JSON report', () => {
  const file = join(dir(), 'report.json');
  const report = partlyFailedReport();
  report.events.push({ at: report.startedAt, type: 'warning', message: `EM echoed X-RestSvcSessionId: ${FIXTURE_SECRETS.token}` });
  report.steps[0]!.error = `logon with ${FIXTURE_SECRETS.password} refused`;
  const secrets = new SecretFilter();
  secrets.register(FIXTURE_SECRETS.password);
  secrets.register(FIXTURE_SECRETS.token);
  writeJsonReport(file, report, { secrets });
  const text = readFileSync(file, 'utf8');
  assert.not.ok(text.includes(FIXTURE_SECRETS.token));
  assert.not.ok(text.includes(FIXTURE_SECRETS.password));
  assert.not.ok(text.includes(JSON.stringify(FIXTURE_SECRETS.password).slice(1, -1)), 'not even JSON-escaped');
  assert.match(text, 'X-RestSvcSessionId: [redacted]');
  assert.is(JSON.parse(text).steps[0].error, 'logon with [redacted] refused');
});

test.run();
