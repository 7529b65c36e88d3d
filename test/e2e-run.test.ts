// Spawns the built CLI with --simulate and asserts on the embedded simulator's request log
// (--sim-log), exit codes and output, in both media types.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { systemClock } from '../engine/clock.js';
import { createSimulator, demoInventory, startSimulatorServer } from '../engine/simulator/index.js';
import { runCli } from './helpers/cli.js';
import { playbooksDir } from './helpers/paths.js';

interface Entry {
  method: string;
  path: string;
  query: string;
  status: number;
  taskId?: string;
}

const dir = mkdtempSync(join(tmpdir(), 'runbook-e2e-'));
const readLog = (file: string): Entry[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Entry);
const line = (e: Entry) => `${e.method} ${e.path}${e.query ? `?${e.query}` : ''}`;
const isMutating = (e: Entry) =>
  (e.method === 'POST' && /action=(failover|start|undo)/.test(e.query)) || (e.method === 'DELETE' && e.path.startsWith('/tasks/'));

const PLAYBOOK = `version: 1
name: e2e fan-out
defaults:
  pollInterval: 5s
steps:
  - id: db
    failover:
      cdpReplica: APP-CDP
      vms: [vm1, vm2, vm3, vm4]
      restorePoint: latest
      concurrency: 3
    onFailure: rollback
  - id: after
    exec:
      command: [echo, should-not-run]
  - id: notify
    always: true
    exec:
      command: [sh, -c, 'echo "notify: run=$RUNBOOK_RUN_ID outcome=$RUNBOOK_OUTCOME failed=$RUNBOOK_FAILED_STEPS simulated=$RUNBOOK_SIMULATED"']
      rehearse: run
`;

const INVENTORY = {
  cdpReplicas: [
    {
      name: 'APP-CDP',
      vms: [
        // Far longer than vm3's: at --time-scale 200, 10 min are 3 s of real time, so a loaded
        // machine still stops them while they run (60 s, 0.3 s real, was not always enough).
        { name: 'vm1', failoverDuration: '10m' },
        { name: 'vm2', failoverDuration: '10m' },
        { name: 'vm3', failoverDuration: '8s', fail: 'Replica is locked by another operation' },
        { name: 'vm4', failoverDuration: '5s' },
      ],
    },
  ],
};

writeFileSync(join(dir, 'fanout.yaml'), PLAYBOOK);
writeFileSync(join(dir, 'inventory.json'), JSON.stringify(INVENTORY));

/** `runbook run PLAYBOOK --simulate` at ×200 in `media`, the simulator's requests logged to `log`; `extra` options last. */
const runSimulated = (playbook: string, media: string, log: string, extra: string[] = []) =>
  runCli(['run', playbook, '--simulate', '--media', media, '--time-scale', '200', '--sim-log', log, ...extra]);

for (const media of ['xml', 'json'] as const) {
  test(`[${media}] plan sends no mutating request and exits 0`, async () => {
    const log = join(dir, `plan-${media}.jsonl`);
    const r = await runCli(['plan', join(playbooksDir, 'erp-tiered-failover.yaml'), '--simulate', '--media', media, '--sim-log', log]);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /action=failover/);
    assert.match(r.stdout, media === 'xml' ? /<RestoreCurrentVss>true<\/RestoreCurrentVss>/ : /"RestoreCurrentVss": ?true/);
    const entries = readLog(log);
    assert.equal(entries.filter(isMutating).map(line), []);
    assert.is(line(entries[0]!), 'POST /sessionMngr/?v=latest');
    assert.match(line(entries.at(-1)!), /^DELETE \/logonSessions\//);
  });

  test(`[${media}] run: each VM failed over once, tasks deleted, logout last, exit 0`, async () => {
    const log = join(dir, `run-${media}.jsonl`);
    const r = await runSimulated(join(playbooksDir, 'erp-tiered-failover.yaml'), media, log);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /failed over: +erp-db01, erp-db02, erp-app01, erp-app02/);
    const entries = readLog(log);
    const failovers = entries.filter((e) => e.query === 'action=failover');
    assert.is(failovers.length, 4);
    assert.is(new Set(failovers.map((e) => e.path)).size, 4);
    // The database tier is requested before the app tier, and the app tier only after the db tasks finished.
    const firstApp = entries.findIndex((e) => e.query === 'action=failover' && failovers.indexOf(e) >= 2);
    const dbDeletes = entries.findIndex((e) => e.method === 'DELETE' && e.path === `/tasks/${failovers[1]!.taskId}`);
    assert.ok(dbDeletes < firstApp);
    for (const f of failovers)
      assert.ok(
        entries.some((e) => e.method === 'DELETE' && e.path === `/tasks/${f.taskId}` && e.status === 204),
        `task ${f.taskId} deleted`,
      );
    assert.match(line(entries.at(-1)!), /^DELETE \/logonSessions\//);
  });

  test(`[${media}] a VM failing mid-fan-out: running siblings stopped, queued never sent, exit 1`, async () => {
    const log = join(dir, `fail-${media}.jsonl`);
    const r = await runSimulated(join(dir, 'fanout.yaml'), media, log, ['--inventory', join(dir, 'inventory.json')]);
    assert.is(r.code, 1, r.stderr);
    // "Rolled back" only if no sibling finished before its stop; otherwise the headline counts it.
    assert.match(r.stderr, /FAILED( and was rolled back|: \d+ VMs? still failed over \(EM cannot undo a CDP failover\))/);
    assert.match(r.stderr, /vm3 \(EM reported failure: Replica is locked by another operation\)/);
    // The always-step's command knows which run it belongs to and that it failed.
    const runId = /Run (\S+) of "e2e fan-out"/.exec(r.stderr)?.[1];
    assert.ok(runId, r.stderr);
    assert.match(r.stdout + r.stderr, `notify: run=${runId} outcome=failed failed=db simulated=true`);
    assert.not.match(r.stdout + r.stderr, 'should-not-run');
    assert.match(r.stderr, /stopped: +vm1 .*; vm2/);
    assert.not.match(r.stdout, /should-not-run/);
    const entries = readLog(log);
    const failovers = entries.filter((e) => e.query === 'action=failover');
    assert.is(failovers.length, 3, 'vm4 was queued behind the concurrency bound and never sent');
    const byPath = (n: number) => failovers[n]!.taskId;
    const deletes = entries.filter((e) => e.method === 'DELETE' && e.path.startsWith('/tasks/')).map((e) => e.path);
    // vm3's finished task (hygiene), then the running ones newest first.
    assert.equal(deletes, [`/tasks/${byPath(2)}`, `/tasks/${byPath(1)}`, `/tasks/${byPath(0)}`]);
    // Each stop is confirmed by a read that finds the task gone.
    for (const n of [0, 1]) assert.ok(entries.some((e) => e.method === 'GET' && e.path === `/tasks/${byPath(n)}` && e.status === 404));
    assert.match(line(entries.at(-1)!), /^DELETE \/logonSessions\//);
  });
}

test('run without a terminal against a real server needs --yes (exit 2, nothing sent)', async () => {
  const r = await runCli(['run', join(playbooksDir, 'erp-tiered-failover.yaml'), '--server', 'https://127.0.0.1:1']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /pass --yes/);
});

test('the shipped playbook plans against `runbook sim` over http:// although its tls.caFile (for the real EM) is not there', async () => {
  const sim = createSimulator({ inventory: demoInventory({ name: 'dr', password: 'dr-pass' }), clock: systemClock });
  const server = await startSimulatorServer(sim, { port: 0 });
  try {
    const r = await runCli(['plan', join(playbooksDir, 'erp-tiered-failover.yaml'), '--server', server.url], {
      env: { VEEAM_EM_USERNAME: 'dr', VEEAM_EM_PASSWORD: 'dr-pass' },
    });
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /POST \/cdpReplicas\/[^/]+\/vms\/[^?]+\?action=failover\s+\(VM "erp-db01"\)/);
    assert.not.match(r.stderr, /tls|WARNING/i, 'loopback http: no TLS file read, no warning');
    assert.ok(sim.log.length > 0, 'it logged on and resolved names');
    assert.not.ok(
      sim.log.some((e) => isMutating({ ...e, query: e.query ?? '' })),
      'plan sends no failover, start, undo or task delete',
    );
  } finally {
    await server.close();
  }
});

test('plan against an unreachable server exits 4', async () => {
  const r = await runCli(['plan', join(dir, 'fanout.yaml'), '--server', 'https://127.0.0.1:1'], {
    env: { VEEAM_EM_USERNAME: 'u', VEEAM_EM_PASSWORD: 'p' },
  });
  assert.is(r.code, 4, r.stderr);
});

test('plan with a name that does not resolve exits 3 and lists the problem', async () => {
  const r = await runCli(['plan', join(dir, 'fanout.yaml'), '--simulate', '--inventory', join(dir, 'missing.json')]);
  assert.is(r.code, 2, 'a missing inventory file is bad input');
  writeFileSync(join(dir, 'small.json'), JSON.stringify({ cdpReplicas: [{ name: 'APP-CDP', vms: ['vm1', 'vm2', 'vm3'] }] }));
  const r2 = await runCli(['plan', join(dir, 'fanout.yaml'), '--simulate', '--inventory', join(dir, 'small.json')]);
  assert.is(r2.code, 3, r2.stderr);
  assert.match(r2.stderr, /VM "vm4" not found in CDP replica "APP-CDP"/);
});

test('bad param is exit 2', async () => {
  const r = await runCli(['plan', join(playbooksDir, 'erp-tiered-failover.yaml'), '--simulate', '--param', 'nope=1']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /unknown param "nope"/);
});

test.run();
