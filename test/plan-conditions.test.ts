import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describeCondition, evaluateCondition } from '../engine/plan/conditions.js';
import { toUtc } from '../engine/plan/restore-point.js';

const ctx = { params: { site: 'b', dry: false, n: 3 }, env: { CI: 'true', EMPTY: '' } };

test('params and env are known at plan time', () => {
  assert.is(evaluateCondition({ param: 'site', equals: 'b' }, ctx), true);
  assert.is(evaluateCondition({ param: 'site', in: ['a', 'c'] }, ctx), false);
  assert.is(evaluateCondition({ param: 'dry' }, ctx), false);
  assert.is(evaluateCondition({ param: 'n', equals: '3' }, ctx), true);
  assert.is(evaluateCondition({ env: 'CI', equals: 'true' }, ctx), true);
  assert.is(evaluateCondition({ env: 'EMPTY' }, ctx), false);
  assert.is(evaluateCondition({ env: 'MISSING', set: false }, ctx), true);
});

test('step outcomes are unknown at plan time unless the rest decides', () => {
  const onDb = { step: 'db', is: ['succeeded' as const] };
  assert.is(evaluateCondition(onDb, ctx), undefined);
  assert.is(evaluateCondition({ all: [onDb, { param: 'site', equals: 'a' }] }, ctx), false);
  assert.is(evaluateCondition({ any: [onDb, { param: 'site', equals: 'b' }] }, ctx), true);
  assert.is(evaluateCondition({ not: onDb }, ctx), undefined);
  const outcomes = new Map([['db', 'failed' as const]]);
  assert.is(evaluateCondition(onDb, { ...ctx, outcomes }), false);
  assert.is(evaluateCondition({ step: 'never-ran', is: ['skipped'] }, { ...ctx, outcomes }), true);
});

test('conditions read as text', () => {
  assert.is(
    describeCondition({ all: [{ step: 'db', is: ['succeeded'] }, { any: [{ param: 'site', equals: 'b' }, { env: 'FORCE' }] }] }),
    'step "db" succeeded and (param site = "b" or env FORCE is set)',
  );
});

test('restore-point datetimes must be UTC', () => {
  assert.equal(toUtc('2026-03-01T09:30:00Z'), { ok: true, value: '2026-03-01T09:30:00Z' });
  assert.equal(toUtc('2026-03-01T09:30:00.250+00:00'), { ok: true, value: '2026-03-01T09:30:00Z' });
  assert.ok(!toUtc('2026-03-01T09:30:00').ok);
  assert.ok(!toUtc('2026-03-01T09:30:00+02:00').ok);
  assert.ok(!toUtc('yesterday').ok);
});

test.run();
