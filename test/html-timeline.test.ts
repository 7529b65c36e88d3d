import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tickInterval, ticks } from '../engine/report/html/axis.js';
import { attrs, esc, truncate } from '../engine/report/html/escape.js';
import { formatElapsed, formatTime } from '../engine/report/html/format.js';
import { buildTimeline, orderSteps } from '../engine/report/html/timeline-rows.js';
import type { RunReport } from '../engine/state/report-types.js';
import { repoRoot } from './helpers/paths.js';

const partial = JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', 'reports', 'partial-failure.json'), 'utf8')) as RunReport;

test('rows: steps in order with parallel children under their group, VMs under their step, then rollback', () => {
  const tl = buildTimeline(partial);
  assert.equal(
    tl.rows.map((r) => `${r.depth}:${r.key}`),
    [
      '0:preflight', // a check step's VMs were never requested: no rows
      '0:net',
      '1:dns',
      '1:fw',
      '0:db',
      '1:db/erp-db01',
      '1:db/erp-db02 "replica" & <b>',
      '1:db/erp-db03',
      '0:app',
      '1:app/erp-app01',
      '1:app/erp-app02',
      '0:notify',
      '0:rollback',
      '1:rollback/1',
      '1:rollback/2',
      '1:rollback/3',
      '1:rollback/4',
    ],
  );
  const app = tl.rows.find((r) => r.key === 'app')!;
  assert.is(app.start, undefined);
  assert.is(app.note, 'skipped');
  assert.is(tl.rows.find((r) => r.key === 'db/erp-db03')!.tone, 'stopped');
  assert.is(tl.t0, Date.parse('2026-03-14T09:00:00.000Z'));
  assert.is(tl.t1, Date.parse('2026-03-14T09:06:05.000Z'));
  assert.equal(
    tl.stepEvents.map((e) => e.type),
    ['warning', 'retry', 'retry'],
  );
  assert.equal(
    tl.globalEvents.map((e) => e.type),
    ['session-renewal', 'rollback-start'],
  );
});

test('orderSteps keeps children listed before their parent under it, and survives a parent cycle', () => {
  const s = (id: string, parentId?: string) => ({
    id,
    name: id,
    kind: 'exec' as const,
    outcome: 'succeeded' as const,
    ...(parentId ? { parentId } : {}),
  });
  assert.equal(
    orderSteps([s('a', 'p'), s('p'), s('b')]).map((x) => `${x.depth}${x.step.id}`),
    ['0p', '1a', '0b'],
  );
  assert.equal(orderSteps([s('x', 'y'), s('y', 'x')]).length, 2);
});

test('axis ticks use a nice interval and at most ten labels', () => {
  assert.is(tickInterval(6 * 60_000 + 5000), 60_000);
  assert.is(tickInterval(20_000), 2_000);
  assert.is(tickInterval(3 * 3_600_000), 1_800_000);
  assert.equal(ticks(365_000), [0, 60_000, 120_000, 180_000, 240_000, 300_000, 360_000]);
  for (const span of [1500, 59_000, 601_000, 7_200_000, 40 * 86_400_000]) assert.ok(ticks(span).length <= 11, `span ${span}`);
});

test('escaping covers text and both attribute quote styles', () => {
  assert.is(esc(`<a href="x">Tom & 'Jerry'</a>`), '&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;');
  assert.is(esc(undefined), '');
  assert.is(attrs({ class: 'bar', 'data-row': 'a"<b', skip: undefined }), ' class="bar" data-row="a&quot;&lt;b"');
  assert.is(truncate('abcdef', 4), 'abc…');
  assert.is(truncate('abc', 4), 'abc');
});

test('times read well', () => {
  assert.is(formatElapsed(3_900_000), '1:05:00');
  assert.is(formatTime('2026-03-14T09:00:41.250Z'), '2026-03-14 09:00:41 UTC');
  assert.is(formatTime('not a date'), 'not a date');
});

test.run();
