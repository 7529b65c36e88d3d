// One model of a run's state: what `runbook status` replays from the journal is what the
// run's own report says, VM by VM, including the VMs of steps that never ran.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from './helpers/cli.js';
import { playbooksDir } from './helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'runbook-state-model-'));
const ERP = join(playbooksDir, 'erp-tiered-failover.yaml');

interface Vm {
  name: string;
  state: string;
  taskId?: string;
  message?: string;
  requestedAt?: string;
  finishedAt?: string;
}
interface Report {
  runId: string;
  outcome: string;
  steps: { id: string; outcome: string; skipReason?: string; vms?: Vm[] }[];
  manual: { target: string }[];
}

/** stepId/VM -> state and message, the facts an operator reads. */
const vmFacts = (report: Report) =>
  report.steps.flatMap((s) =>
    (s.vms ?? []).map((v) => [s.id, v.name, v.state, v.taskId ?? null, v.message ?? null, v.requestedAt ?? null, v.finishedAt ?? null]),
  );

test('status --run --format json gives the same per-VM outcomes as the run report, not-started VMs of a skipped step included', async () => {
  // erp-db02 fails: the database tier fails and rolls back, the app tier is skipped (its `when`).
  const inventory = join(dir, 'db-fails.json');
  const vms = [
    { name: 'erp-db01', failoverDuration: '3m' },
    { name: 'erp-db02', failoverDuration: '1m', fail: 'Replica is locked by another operation' },
    { name: 'erp-app01', failoverDuration: '5m' },
    { name: 'erp-app02', failoverDuration: '2m' },
  ];
  writeFileSync(inventory, JSON.stringify({ cdpReplicas: [{ name: 'ERP-CDP', vms }] }));
  const state = join(dir, 'state');
  const run = await runCli(['run', ERP, '--simulate', '--inventory', inventory, '--time-scale', '200', '--state-dir', state]);
  assert.is.not(run.code, 0, run.stdout);
  // A failed run's closing lines go to stderr.
  const runId = /Run (\S+) of "ERP tiered failover"/.exec(run.stderr)?.[1];
  assert.ok(runId, run.stderr);
  const own = JSON.parse(readFileSync(join(state, 'runs', `${runId}.report.json`), 'utf8')) as Report;

  const app = own.steps.find((s) => s.id === 'app-tier')!;
  assert.is(app.outcome, 'skipped');
  assert.equal(
    app.vms?.map((v) => [v.name, v.state]),
    [
      ['erp-app01', 'not-started'],
      ['erp-app02', 'not-started'],
    ],
  );

  const status = await runCli(['status', '--state-dir', state, '--run', runId!, '--format', 'json']);
  assert.is(status.code, 0, status.stderr);
  const replayed = JSON.parse(status.stdout).report as Report;
  assert.equal(vmFacts(replayed), vmFacts(own));
  assert.equal(
    replayed.steps.map((s) => [s.id, s.outcome, s.skipReason ?? null]),
    own.steps.map((s) => [s.id, s.outcome, s.skipReason ?? null]),
  );
  assert.is(replayed.outcome, own.outcome);
  for (const m of own.manual)
    assert.ok(
      replayed.manual.some((r) => r.target === m.target),
      `manual action for ${m.target} kept`,
    );

  const text = await runCli(['status', '--state-dir', state, '--run', runId!]);
  assert.match(text.stdout, /not-started +erp-app01/);
});

test.run();
