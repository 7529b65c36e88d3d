// The final summary printed after a run (pure: report in, text out).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderSummary } from '../engine/run/summary.js';
import { partlyFailedReport } from './helpers/report-fixture.js';

test('rollback lists what it did; entries left for the operator appear once, under manual actions', () => {
  const report = partlyFailedReport();
  const text = renderSummary(report);
  assert.match(text, /Rollback:\n  ✔ stop erp-app03 <edge> \(task-4\): DELETE \/tasks\/task-4 → 204: stop requested\n  ✖ /);
  assert.match(text, 'Manual actions required:\n  ! erp-db01 IS failed over');

  // A rollback with nothing to stop (its failover had finished): no empty "Rollback:" heading.
  const onlyManual = { ...report, rollback: [{ at: 't', action: 'manual' as const, stepId: 'db-tier', target: 'erp-db01', ok: false, message: 'failed over; EM cannot undo it' }] };
  const text2 = renderSummary(onlyManual);
  assert.not.match(text2, 'Rollback:');
  assert.match(text2, 'Manual actions required:');
});

test.run();
