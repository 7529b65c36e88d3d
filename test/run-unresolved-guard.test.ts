// `runbook run` refuses to start while the last real run of the same playbook left requests
// whose outcome nobody knows: running again would send those failovers again, blind.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { systemClock } from '../engine/clock.js';
import { lastRunLeftUnresolved } from '../engine/state/earlier-run.js';
import { createSimulator, demoInventory, startSimulatorServer } from '../engine/simulator/index.js';
import { runCli } from './helpers/cli.js';
import { deadPid } from './helpers/dead-pid.js';
import { toJsonl } from './helpers/journal-fixture.js';
import { deadRunEntries, PASSWORD, PLAYBOOK_YAML, RUN_ID, SIM_URL, stateDirFor, unknownRequest, USER } from './helpers/rollback-setup.js';

const ENV = { VEEAM_EM_USERNAME: USER, VEEAM_EM_PASSWORD: PASSWORD };
const deadRun = (options: { simulated?: boolean } = {}) => [
  ...deadRunEntries(deadPid(), [{ vm: 'erp-db01', vmId: 'v1', taskId: 'task-7' }], options),
  unknownRequest(),
];

/** A simulator over HTTP whose ERP failovers take 200 ms, and the playbook polling at that pace. */
async function quickSimulator(playbook: string) {
  const inventory = demoInventory({ name: USER, password: PASSWORD });
  const erp = inventory.cdpReplicas?.find((r) => r.name === 'ERP-CDP');
  if (erp) erp.behaviour = { failoverDuration: '200ms' };
  const sim = createSimulator({ inventory, clock: systemClock, baseUrl: SIM_URL });
  writeFileSync(playbook, PLAYBOOK_YAML.replace('steps:', 'defaults: {pollInterval: 200ms}\nsteps:'));
  return { sim, server: await startSimulatorServer(sim, { port: 0 }) };
}

test('a crashed run with requests of unknown outcome: the next run is refused (exit 5) before anything is sent', async () => {
  const s = stateDirFor(deadRun());
  const { sim, server } = await quickSimulator(s.playbook);
  try {
    const r = await runCli(['run', s.playbook, '--state-dir', s.stateDir, '--server', server.url, '--yes'], { env: ENV });
    assert.is(r.code, 5, r.stderr);
    assert.match(r.stderr, `the last run of this playbook (${RUN_ID}, crashed) left 2 requests whose outcome is unknown`);
    assert.match(r.stderr, 'VM erp-db01 (replica ERP-CDP): task task-7 in flight');
    assert.match(r.stderr, 'VM erp-app02 (replica ERP-CDP): requested, no answer recorded');
    assert.match(r.stderr, `runbook rollback --run ${RUN_ID}`);
    assert.match(r.stderr, '--ignore-unresolved');
    assert.not.match(r.stderr, /\n\s+at /);
    assert.equal(sim.log, [], 'not even a logon');
    assert.equal(readdirSync(join(s.stateDir, 'runs')), [`${RUN_ID}.jsonl`], 'the refused run leaves no journal');
    assert.equal(readdirSync(join(s.stateDir, 'locks')), [], 'and no lock');
    const st = await runCli(['status', '--run', RUN_ID, '--state-dir', s.stateDir]);
    assert.match(st.stdout, "While this is the playbook's last real run, 'runbook run' refuses (exit 5)");
  } finally {
    await server.close();
  }
});

test('plan warns that the run would be refused, and still plans (exit 0)', async () => {
  const s = stateDirFor(deadRun());
  const { server } = await quickSimulator(s.playbook);
  try {
    const r = await runCli(['plan', s.playbook, '--state-dir', s.stateDir, '--server', server.url], { env: ENV });
    assert.is(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      `warning: the last run of this playbook (${RUN_ID}, crashed) left 2 requests whose outcome is unknown: 'runbook run' refuses (exit 5)`,
    );
    assert.match(r.stdout, 'POST');
  } finally {
    await server.close();
  }
});

test('--ignore-unresolved starts the run anyway, and its journal says so', async () => {
  const s = stateDirFor(deadRun());
  const { sim, server } = await quickSimulator(s.playbook);
  try {
    const r = await runCli(['run', s.playbook, '--state-dir', s.stateDir, '--server', server.url, '--yes', '--ignore-unresolved'], {
      env: ENV,
    });
    assert.is(r.code, 0, r.stderr);
    assert.is(
      sim.log.filter((e) => e.method === 'POST' && e.path.startsWith('/cdpReplicas/') && String(e.query).includes('failover')).length,
      1,
      JSON.stringify(sim.log.map((e) => [e.method, e.path, e.query])),
    );
    const newRun = readdirSync(join(s.stateDir, 'runs')).find((f) => f !== `${RUN_ID}.jsonl`)!;
    const journal = readFileSync(join(s.stateDir, 'runs', newRun), 'utf8');
    assert.match(journal, `started with --ignore-unresolved: run ${RUN_ID} left 2 requests unresolved (erp-db01, erp-app02)`);
    // That run is now the last one, and it left nothing open: the next run needs no flag.
    assert.is(lastRunLeftUnresolved(s.stateDir, s.playbook), undefined);
  } finally {
    await server.close();
  }
});

test('a rehearsal (--simulate) is not held back: its simulator starts empty', async () => {
  const s = stateDirFor(deadRun());
  const r = await runCli(['run', s.playbook, '--simulate', '--time-scale', '1000', '--state-dir', s.stateDir], {
    env: { EM_URL: SIM_URL, EM_USER: USER, EM_PASSWORD: PASSWORD },
  });
  assert.is(r.code, 0, r.stderr);
});

test('what counts: the newest real run of the same playbook, unless rollback settled it', () => {
  const s = stateDirFor(deadRun());
  assert.is(lastRunLeftUnresolved(s.stateDir, s.playbook)?.unresolved.length, 2);

  // A finished run (run-end) leaves in-flight tasks as the run recorded them: nothing unknown.
  const other = stateDirFor([
    ...deadRun().filter((e) => e.type !== 'request-intent' || e.target !== 'erp-app02'),
    { at: '2026-11-27T10:30:00.000Z', type: 'task-result', stepId: 'db', target: 'erp-db01', taskId: 'task-7', success: true },
    { at: '2026-11-27T10:30:01.000Z', type: 'run-end', outcome: 'succeeded', exitCode: 0 },
  ]);
  assert.is(lastRunLeftUnresolved(other.stateDir, other.playbook), undefined);

  // Another playbook's run in the same state dir does not count.
  assert.is(lastRunLeftUnresolved(s.stateDir, join(s.dir, 'another.yaml')), undefined);

  // A crashed rehearsal does not count, and does not hide the real run before it.
  const rehearsal = deadRun({ simulated: true }).map((e) =>
    e.type === 'run-start' ? { ...e, runId: '20261127T110000Z-sim0', playbook: { ...e.playbook, file: s.playbook } } : e,
  );
  writeFileSync(join(s.stateDir, 'runs', '20261127T110000Z-sim0.jsonl'), toJsonl(rehearsal));
  assert.is(lastRunLeftUnresolved(s.stateDir, s.playbook)?.runId, RUN_ID);

  // A foreign or damaged file among the journals is passed over, not a reason to stop every run.
  writeFileSync(join(s.stateDir, 'runs', '20261127T120000Z-bad0.jsonl'), '{"type":"run-start"}\n');
  writeFileSync(join(s.stateDir, 'runs', '20261127T120001Z-bad1.jsonl'), '{"type":"run-st');
  assert.is(lastRunLeftUnresolved(s.stateDir, s.playbook)?.runId, RUN_ID);

  // A run-start line longer than the first read (large params) is still recognised.
  const long = stateDirFor(deadRun().map((e) => (e.type === 'run-start' ? { ...e, params: { note: 'x'.repeat(20_000) } } : e)));
  assert.is(lastRunLeftUnresolved(long.stateDir, long.playbook)?.runId, RUN_ID);

  // What `runbook rollback` recorded as settled is no longer open.
  const settled = stateDirFor([
    ...deadRun(),
    {
      at: '2026-11-27T10:40:00.000Z',
      type: 'rollback',
      action: 'manual',
      stepId: 'db',
      target: 'erp-db01',
      taskId: 'task-7',
      ok: true,
      message: 'task task-7 had finished with failure',
    },
  ]);
  assert.equal(
    lastRunLeftUnresolved(settled.stateDir, settled.playbook)?.unresolved.map((u) => u.request.target),
    ['erp-app02'],
  );
});

test.run();
