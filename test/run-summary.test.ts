// The final summary printed after a run (pure: report in, text out).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderSummary } from '../engine/report/summary.js';
import type { RunReport } from '../engine/state/report-types.js';
import { partlyFailedReport } from './helpers/report-fixture.js';

test('rollback lists what it did; entries left for the operator appear once, under manual actions', () => {
  const report = partlyFailedReport();
  const text = renderSummary(report);
  assert.match(text, /Rollback:\n {2}✔ stop erp-app03 <edge> \(task-4\): DELETE \/tasks\/task-4 → 204: stop requested\n {2}✖ /);
  assert.match(text, 'Manual actions required:\n  ! erp-db01 IS failed over');

  // A rollback with nothing to stop (its failover had finished): no empty "Rollback:" heading.
  const onlyManual = {
    ...report,
    rollback: [
      { at: 't', action: 'manual' as const, stepId: 'db-tier', target: 'erp-db01', ok: false, message: 'failed over; EM cannot undo it' },
    ],
  };
  const text2 = renderSummary(onlyManual);
  assert.not.match(text2, 'Rollback:');
  assert.match(text2, 'Manual actions required:');
});

test('the headline says what is left: failed over (EM cannot undo it) and unknown VMs; "rolled back" only when nothing is', () => {
  const vm = (name: string, state: string) => ({ name, replica: 'R', restorePoint: 'latest', state });
  const base = { ...partlyFailedReport(), manual: [], rollback: [] } as RunReport;
  const withVms = (outcome: RunReport['outcome'], vms: ReturnType<typeof vm>[]) =>
    ({ ...base, outcome, steps: [{ id: 'db', name: 'db', kind: 'failover', outcome: 'failed', vms }] }) as unknown as RunReport;
  assert.match(
    renderSummary(withVms('failed', [vm('a', 'failed-over'), vm('b', 'failed-over'), vm('c', 'unknown'), vm('d', 'stopped')])),
    /FAILED: 2 VMs still failed over \(EM cannot undo a CDP failover\); 1 VM UNKNOWN \(check by hand\)/,
  );
  assert.match(
    renderSummary(withVms('interrupted', [vm('a', 'failed-over'), vm('d', 'stopped')])),
    /was INTERRUPTED: 1 VM still failed over/,
  );
  assert.match(renderSummary(withVms('interrupted', [vm('d', 'stopped')])), /was INTERRUPTED and rolled back/);
  assert.match(renderSummary(withVms('rolled-back', [vm('d', 'stopped')])), /FAILED and was rolled back/);
});

test('on resume, the VMs of a step the earlier run did are credited to it, not listed as not started', () => {
  const report = {
    ...partlyFailedReport(),
    outcome: 'succeeded',
    manual: [],
    rollback: [],
    steps: [
      {
        id: 'db',
        name: 'db',
        kind: 'failover',
        outcome: 'skipped',
        skipReason: 'done by run 20261127T102233Z-part (resumed)',
        vms: [{ name: 'erp-db01', replica: 'R', restorePoint: 'latest', state: 'not-started' }],
      },
      {
        id: 'app',
        name: 'app',
        kind: 'failover',
        outcome: 'succeeded',
        vms: [{ name: 'erp-app01', replica: 'R', restorePoint: 'latest', state: 'failed-over' }],
      },
    ],
  } as unknown as RunReport;
  const text = renderSummary(report);
  assert.match(text, 'failed over by run 20261127T102233Z-part: erp-db01');
  assert.not.match(text, 'not started');
});

test.run();
