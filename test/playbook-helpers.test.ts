import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PlaybookError, UsageError } from '../engine/errors.js';
import { bindTemplate, loadPlaybook, parseDatetime, parseDuration, resolveParams } from '../engine/playbook/validate.js';
import type { ParamDef } from '../engine/playbook/types.js';

test('parseDuration reads every unit and rejects the rest', () => {
  const table: [string, number][] = [
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1d', 86_400_000],
    ['2m30s', 150_000],
    ['1s500ms', 1_500],
    ['0s', 0],
  ];
  for (const [text, ms] of table) assert.is(parseDuration(text), ms, text);
  for (const bad of ['', '30', '5 m', '1m1h', 'ms', '-5s', '1.5s', '5M']) assert.throws(() => parseDuration(bad), /not a duration/, bad);
});

test('parseDatetime accepts UTC only, and only real dates', () => {
  assert.is(parseDatetime('2024-05-01T10:30:00Z'), Date.UTC(2024, 4, 1, 10, 30));
  assert.is(parseDatetime('2024-05-01T10:30:00.250+00:00'), Date.UTC(2024, 4, 1, 10, 30) + 250);
  assert.throws(() => parseDatetime('2024-05-01T10:30:00+02:00'), /not in UTC/);
  assert.throws(() => parseDatetime('2024-05-01 10:30'), /not an ISO 8601 UTC datetime/);
  assert.throws(() => parseDatetime('2023-02-29T00:00:00Z'), /not a real date/);
});

test('bindTemplate substitutes params and env, honours $${ and names what is missing', () => {
  const ctx = { params: { site: 'dr-east', n: 3 }, env: { ZONE: 'corp.example' } };
  assert.is(bindTemplate('lb.${params.site}.${env.ZONE} x${params.n} $${literal}', ctx), 'lb.dr-east.corp.example x3 ${literal}');
  assert.throws(
    () => bindTemplate('${params.nope}', ctx),
    (e: unknown) => e instanceof UsageError && /--param nope=/.test(e.message),
  );
  assert.throws(
    () => bindTemplate('${env.UNSET}', ctx),
    (e: unknown) => e instanceof UsageError && /UNSET is not set/.test(e.message),
  );
  assert.throws(
    () => bindTemplate('${oops}', ctx),
    (e: unknown) => e instanceof UsageError,
  );
});

const params: Record<string, ParamDef> = {
  recoverTo: { type: 'datetime', description: 'last clean moment' },
  count: { type: 'number', default: 2 },
  isolate: { type: 'boolean', default: true },
  site: { type: 'string', enum: ['east', 'west'], default: '${env.DR_SITE}' },
  settle: { type: 'duration', default: '30s' },
};

test('resolveParams converts types, applies defaults (string defaults may use ${env.X})', () => {
  const v = resolveParams({ params }, { recoverTo: '2024-05-01T09:45:00Z', count: '5', isolate: 'false' }, { DR_SITE: 'west' });
  assert.equal(v, { recoverTo: '2024-05-01T09:45:00Z', count: 5, isolate: false, site: 'west', settle: '30s' });
});

test('resolveParams reports every bad --param at once as a UsageError', () => {
  try {
    resolveParams({ params }, { count: 'many', isolate: 'yes', site: 'north', recovrTo: 'x' }, {});
    assert.unreachable();
  } catch (error) {
    assert.instance(error, UsageError);
    const message = (error as Error).message;
    assert.match(message, 'unknown param "recovrTo" (did you mean "recoverTo"?)');
    assert.match(message, 'missing --param recoverTo=<datetime>: last clean moment');
    assert.match(message, '--param count=many: expected a number');
    assert.match(message, '--param isolate=yes: expected true or false');
    assert.match(message, '--param site=north: expected one of east, west');
  }
  assert.throws(() => resolveParams({ params: { t: { type: 'datetime' } } }, { t: '2024-05-01T10:00:00+02:00' }, {}), /not in UTC/);
});

test('loadPlaybook returns the normalized playbook or throws PlaybookError with every diagnostic', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pb-'));
  writeFileSync(join(dir, 'ok.yaml'), 'version: 1\nname: ok\nsteps:\n  - {id: w, wait: 1s}\n');
  writeFileSync(join(dir, 'bad.yaml'), 'version: 1\nname: bad\nsteps:\n  - {id: w, wait: 1}\n  - {id: w, wait: 1s}\n');
  const pb = await loadPlaybook(join(dir, 'ok.yaml'));
  assert.is(pb.name, 'ok');
  try {
    await loadPlaybook(join(dir, 'bad.yaml'));
    assert.unreachable();
  } catch (error) {
    assert.instance(error, PlaybookError);
    const e = error as PlaybookError;
    assert.is(e.exitCode, 2);
    assert.match(e.message, `${join(dir, 'bad.yaml')}:4:19: steps[0].wait: 1 has no unit`);
  }
});

test.run();
