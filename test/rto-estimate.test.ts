import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { estimateRto, median, rtoWarning, type EstimateStep } from '../engine/plan/rto-estimate.js';
import type { RunReport, StepReport } from '../engine/state/report-types.js';
import { repoRoot } from './helpers/paths.js';

const load = (name: string) => JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/reports', `${name}.json`), 'utf8')) as RunReport;

/** A past run: `db` failed over VMs taking the given seconds; `dns`/`fw`/`notify` took fixed times. */
function run(vmSeconds: number[], extra: Partial<Record<string, number>> = {}): RunReport {
  const base = load('succeeded');
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const db: StepReport = {
    id: 'db',
    name: 'db',
    kind: 'failover',
    outcome: 'succeeded',
    vms: vmSeconds.map((s, i) => ({
      name: `vm${i}`,
      replica: 'r',
      restorePoint: 'latest',
      state: 'failed-over',
      requestedAt: new Date(t0).toISOString(),
      finishedAt: new Date(t0 + s * 1000).toISOString(),
    })),
  };
  const timed = (id: string, seconds: number): StepReport => ({
    id,
    name: id,
    kind: 'exec',
    outcome: 'succeeded',
    durationMs: seconds * 1000,
  });
  return { ...base, steps: [db, ...Object.entries(extra).map(([id, s]) => timed(id, s!))] };
}

const plan = (over: Partial<EstimateStep> = {}): EstimateStep[] => [
  { id: 'dns', kind: 'exec', vmCount: 0, concurrency: 1, parallelGroup: 'net' },
  { id: 'fw', kind: 'exec', vmCount: 0, concurrency: 1, parallelGroup: 'net' },
  { id: 'db', kind: 'failover', vmCount: 5, concurrency: 2, ...over },
  { id: 'notify', kind: 'exec', vmCount: 0, concurrency: 1 },
];

test('median of odd and even counts', () => {
  assert.is(median([3, 1, 2]), 2);
  assert.is(median([4, 1, 3, 2]), 2.5);
  assert.is(median([]), undefined);
});

test('waves × median per-VM time, parallel group counts its longest member, nothing after the last failover', () => {
  const history = [run([100, 200, 300], { dns: 10, fw: 40, notify: 999 }), run([250], { dns: 20, fw: 30, notify: 999 })];
  // per-VM durations 100, 200, 250, 300 → median 225 s; 5 VMs at 2 at once → 3 waves.
  // net group: median dns 15 s, median fw 35 s → 35 s. notify comes after the last failover.
  const e = estimateRto({ steps: plan(), history });
  assert.is(e.estimateMs, 3 * 225_000 + 35_000);
  assert.equal(e.unmeasured, []);
  assert.match(e.basis, 'from 2 earlier runs');
  assert.match(e.basis, 'db: 3 waves (5 VMs, 2 at once) × 3m45s median per VM = 11m15s');
  assert.match(e.basis, 'parallel net (longest counts)');
  assert.not.match(e.basis, 'notify');
});

test('more concurrency means fewer waves', () => {
  const history = [run([60, 60, 60])];
  assert.is(estimateRto({ steps: plan({ concurrency: 10 }), history }).estimateMs, 60_000);
  assert.is(estimateRto({ steps: plan({ concurrency: 1 }), history }).estimateMs, 5 * 60_000);
});

test('failed, stopped and unknown VMs do not count as failover times', () => {
  const report = load('partial-failure'); // db: one failed-over (209 s), one failed, one stopped
  const e = estimateRto({ steps: [{ id: 'db', kind: 'failover', vmCount: 3, concurrency: 3 }], history: [report] });
  assert.is(e.estimateMs, 209_000);
});

test('steps never measured are named and counted as zero; no history says so', () => {
  const steps = plan();
  steps.splice(3, 0, { id: 'app', kind: 'failover', vmCount: 2, concurrency: 2 });
  const e = estimateRto({ steps, history: [run([120])] });
  assert.equal(e.unmeasured, ['dns', 'fw', 'app']);
  assert.is(e.estimateMs, 3 * 120_000);
  assert.match(e.basis, 'not measured before (counted as 0): dns, fw, app');
  const none = estimateRto({ steps: plan(), history: [] });
  assert.is(none.estimateMs, 0);
  assert.match(none.basis, 'no earlier run');
});

test('the real fixtures: a successful run predicts its own recovery time closely', () => {
  const ok = load('succeeded');
  const steps: EstimateStep[] = [
    { id: 'preflight', kind: 'check', vmCount: 0, concurrency: 1 },
    { id: 'db', kind: 'failover', vmCount: 1, concurrency: 10 },
    { id: 'settle', kind: 'wait', vmCount: 0, concurrency: 1 },
    { id: 'web', kind: 'failover', vmCount: 2, concurrency: 10 },
    { id: 'notify', kind: 'exec', vmCount: 0, concurrency: 1 },
  ];
  const e = estimateRto({ steps, history: [ok] });
  // 2.7 s + 306.5 s + 60 s + median(269.8, 224.7) s
  assert.is(e.estimateMs, 2700 + 306_500 + 60_000 + 247_250);
  assert.ok(Math.abs(e.estimateMs - ok.achieved.rtoMs!) < 30_000);
});

test('rtoWarning only when the estimate exceeds a declared target', () => {
  const e = estimateRto({ steps: plan(), history: [run([600], { dns: 1, fw: 1 })] });
  assert.is(rtoWarning(e, undefined), undefined);
  assert.is(rtoWarning(e, 60 * 60_000), undefined);
  assert.match(rtoWarning(e, 15 * 60_000)!, /^estimated time to recover 30m01s exceeds the RTO target 15m \(from 1 earlier run/);
});

test.run();
