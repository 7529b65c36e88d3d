// Never twice across runs: `plan` and `run` warn, naming the run and its time, when a real
// run in the state dir already failed over a VM of the plan (issue #18). Rehearsals do not count.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { JournalEntry } from '../engine/state/journal-types.js';
import { describeEarlierFailover, failedOverBefore } from '../engine/plan/failed-over-before.js';
import { executeSetup } from './helpers/execute-setup.js';
import { toJsonl } from './helpers/journal-fixture.js';
import { failoverStep, planFor } from './helpers/plan-fixture.js';

function journal(runId: string, simulated: boolean, vm: string, success: boolean): JournalEntry[] {
  const at = '2026-11-27T10:22:33.000Z';
  return [
    {
      at,
      type: 'run-start',
      runId,
      pid: 1,
      playbook: { name: 'Earlier', file: '/pb.yaml', sha256: '0'.repeat(64) },
      params: {},
      server: { url: 'https://em', media: 'xml', simulated },
      host: { hostname: 'h', user: 'u' },
    },
    { at, type: 'step-start', stepId: 'db', name: 'db', kind: 'failover' },
    {
      at,
      type: 'request-intent',
      stepId: 'db',
      target: vm,
      targetId: 'x',
      method: 'POST',
      path: '/cdpReplicas/r1/vms/x?action=failover',
      replica: 'CDP Policy 1',
      restorePoint: 'latest',
    },
    { at, type: 'request-accepted', stepId: 'db', target: vm, taskId: 'task-1' },
    { at: '2026-11-27T10:25:00.000Z', type: 'task-result', stepId: 'db', target: vm, taskId: 'task-1', success },
    { at: '2026-11-27T10:25:01.000Z', type: 'step-end', stepId: 'db', outcome: success ? 'succeeded' : 'failed' },
    { at: '2026-11-27T10:25:02.000Z', type: 'run-end', outcome: success ? 'succeeded' : 'failed', exitCode: success ? 0 : 1 },
  ];
}

test('a VM an earlier real run failed over is named with that run and its time; rehearsals and failed attempts do not count', async () => {
  const vms = [
    { id: 'v1', name: 'vm1' },
    { id: 'v2', name: 'vm2' },
    { id: 'v3', name: 'vm3' },
  ];
  const { em, pb } = executeSetup(vms, [failoverStep('db', ['vm1', 'vm2', 'vm3'])]);
  const plan = await planFor(pb, em.client);
  const stateDir = mkdtempSync(join(tmpdir(), 'runbook-before-'));
  mkdirSync(join(stateDir, 'runs'));
  writeFileSync(join(stateDir, 'runs', '20261127T102233Z-real.jsonl'), toJsonl(journal('20261127T102233Z-real', false, 'vm1', true)));
  writeFileSync(join(stateDir, 'runs', '20261127T102233Z-sim1.jsonl'), toJsonl(journal('20261127T102233Z-sim1', true, 'vm2', true)));
  writeFileSync(join(stateDir, 'runs', '20261127T102233Z-fail.jsonl'), toJsonl(journal('20261127T102233Z-fail', false, 'vm3', false)));

  const found = failedOverBefore(stateDir, plan);
  assert.equal(
    found.map((f) => [f.target, f.runId, f.at]),
    [['vm1', '20261127T102233Z-real', '2026-11-27T10:25:00.000Z']],
  );
  const line = describeEarlierFailover(found[0]!);
  assert.match(
    line,
    'VM "vm1" (replica "CDP Policy 1") was already failed over by run 20261127T102233Z-real ("Earlier") at 2026-11-27T10:25:00.000Z',
  );

  // A resumed plan leaves out the steps the earlier run did: nothing to warn about.
  const resumed = {
    ...plan,
    resumed: { runId: '20261127T102233Z-real', steps: { db: '20261127T102233Z-real' }, vms: {} },
  } as unknown as typeof plan;
  assert.equal(failedOverBefore(stateDir, resumed), []);
});

test.run();
