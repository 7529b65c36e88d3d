import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock } from '../engine/clock.js';
import { openLogFile } from '../engine/report/log-file.js';
import { FIXTURE_SECRETS } from './helpers/report-fixture.js';

test('the log file is JSON Lines: at, level, message, then the fields; it appends across opens', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'runbook-log-')), 'logs', 'runbook.log');
  const clock = new FakeClock({ start: Date.parse('2026-11-27T10:00:00Z') });
  const a = openLogFile(file, { clock });
  a.log('info', 'run started', { runId: 'r1', step: undefined });
  a.close();
  const b = openLogFile(file, { clock });
  b.log('error', 'step failed', { stepId: 'db', status: 503, level: 'ignored' });
  b.close();
  b.log('info', 'after close: dropped');
  const lines = readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(lines, [
    { at: '2026-11-27T10:00:00.000Z', level: 'info', message: 'run started', runId: 'r1' },
    { at: '2026-11-27T10:00:00.000Z', level: 'error', message: 'step failed', stepId: 'db', status: 503 },
  ]);
});

test('registered secrets are redacted in messages and fields', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'runbook-log-')), 'runbook.log');
  const log = openLogFile(file);
  log.registerSecret(FIXTURE_SECRETS.password);
  log.registerSecret(FIXTURE_SECRETS.token);
  log.log('debug', `request with token ${FIXTURE_SECRETS.token}`, {
    headers: { 'X-RestSvcSessionId': FIXTURE_SECRETS.token },
    pw: [FIXTURE_SECRETS.password],
  });
  log.close();
  const text = readFileSync(file, 'utf8');
  assert.not.ok(text.includes(FIXTURE_SECRETS.token));
  assert.not.ok(text.includes(FIXTURE_SECRETS.password));
  assert.not.ok(text.includes(JSON.stringify(FIXTURE_SECRETS.password).slice(1, -1)));
  assert.equal(JSON.parse(text).headers, { 'X-RestSvcSessionId': '[redacted]' });
});

test.run();
