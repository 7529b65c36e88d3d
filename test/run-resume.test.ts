// `runbook run --resume RUN_ID`: going on from a run that stopped part-way, as a user runs
// it (the built CLI against the simulator over HTTP): what that run did is not asked again.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClient } from '../engine/api/client.js';
import { systemClock } from '../engine/clock.js';
import type { JournalEntry } from '../engine/state/journal-types.js';
import { createSimulator, demoInventory, startSimulatorServer } from '../engine/simulator/index.js';
import { runCli } from './helpers/cli.js';
import { deadPid } from './helpers/dead-pid.js';
import { toJsonl } from './helpers/journal-fixture.js';

const USER = 'runbook';
const PASSWORD = 'resume-Pa55word';
const ENV = { VEEAM_EM_USERNAME: USER, VEEAM_EM_PASSWORD: PASSWORD };
const RUN_ID = '20261127T102233Z-part';
const PLAYBOOK = `version: 1
name: Resume test
params:
  ticket: {type: string, default: DR-1}
defaults: {pollInterval: 200ms}
steps:
  - id: db
    failover: {cdpReplica: ERP-CDP, vms: [erp-db01, erp-db02]}
  - id: app
    when: {step: db}
    failover: {cdpReplica: ERP-CDP, vms: [erp-app01]}
`;

/**
 * A simulator (failovers take 200 ms) on which an earlier run failed over erp-db01 and then
 * died before requesting erp-db02; its journal in a state dir beside the playbook.
 */
async function afterPartialRun(params: Record<string, string> = { ticket: 'DR-1' }) {
  const inventory = demoInventory({ name: USER, password: PASSWORD });
  const erp = inventory.cdpReplicas?.find((r) => r.name === 'ERP-CDP');
  if (erp) erp.behaviour = { failoverDuration: '200ms' };
  const sim = createSimulator({ inventory, clock: systemClock, baseUrl: 'https://em01.lab.local:9398' });
  const server = await startSimulatorServer(sim, { port: 0 });
  const client = createClient({ url: server.url, username: USER, password: PASSWORD });
  const replica = (await client.findCdpReplica('ERP-CDP'))!;
  const vms = new Map((await client.listCdpReplicaVms(replica.id)).map((v) => [v.name, v.id]));
  const failOver = async (name: string) => {
    const task = await client.failoverCdpVm(replica.id, vms.get(name)!, { restoreCurrent: true, restoreCurrentVss: false });
    while ((await client.getTask(task.taskId)).state !== 'Finished') await new Promise((r) => setTimeout(r, 50));
    return task.taskId;
  };
  const task = { taskId: await failOver('erp-db01') };
  sim.log.length = 0;

  const dir = mkdtempSync(join(tmpdir(), 'runbook-resume-'));
  const playbook = join(dir, 'resume.yaml');
  writeFileSync(playbook, PLAYBOOK);
  const stateDir = join(dir, '.runbook');
  mkdirSync(join(stateDir, 'runs'), { recursive: true });
  const at = (s: number) => new Date(Date.parse('2026-11-27T10:22:33Z') + s * 1000).toISOString();
  const entries: JournalEntry[] = [
    {
      at: at(0),
      type: 'run-start',
      runId: RUN_ID,
      pid: deadPid(),
      playbook: { name: 'Resume test', file: playbook, sha256: '00'.repeat(32) },
      params,
      server: { url: server.url, media: 'xml', simulated: false, username: USER },
      host: { hostname: hostname(), user: 'runner' },
    },
    { at: at(1), type: 'step-start', stepId: 'db', name: 'db', kind: 'failover' },
    {
      at: at(2),
      type: 'request-intent',
      stepId: 'db',
      target: 'erp-db01',
      targetId: vms.get('erp-db01')!,
      method: 'POST',
      path: `/cdpReplicas/${replica.id}/vms/${vms.get('erp-db01')!}?action=failover`,
      replica: 'ERP-CDP',
      restorePoint: 'latest',
    },
    { at: at(2), type: 'request-accepted', stepId: 'db', target: 'erp-db01', taskId: task.taskId },
    { at: at(4), type: 'task-result', stepId: 'db', target: 'erp-db01', taskId: task.taskId, success: true, message: 'Ok' },
  ];
  writeFileSync(join(stateDir, 'runs', `${RUN_ID}.jsonl`), toJsonl(entries));
  const failoverPosts = () =>
    sim.log
      .filter((e) => e.method === 'POST' && String(e.query).includes('failover'))
      .map((e) => [...vms].find(([, id]) => e.path.endsWith(`/vms/${id}`))?.[0]);
  const close = async () => {
    await client.logout();
    await server.close();
  };
  return { server: { url: server.url, close }, playbook, stateDir, failoverPosts, failOver, vms, replicaId: replica.id, sim };
}

test('--resume: only what the earlier run did not do is requested; the journal says what was left out', async () => {
  const s = await afterPartialRun();
  try {
    const st = await runCli(['status', '--run', RUN_ID, '--state-dir', s.stateDir]);
    assert.match(st.stdout, `runbook run ${s.playbook} --resume ${RUN_ID}`, 'status says how to go on');
    const plan = await runCli(['plan', s.playbook, '--state-dir', s.stateDir, '--server', s.server.url, '--resume', RUN_ID], { env: ENV });
    assert.is(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, `Resuming run ${RUN_ID}: what it did is not sent again`);
    assert.match(plan.stdout, `failed over by run ${RUN_ID} or a run it resumed, not requested again: erp-db01`);
    assert.match(plan.stdout, '(VM "erp-db02")');
    assert.not.match(plan.stdout, '(VM "erp-db01")');
    assert.match(plan.stdout, 'Ready: 2 mutating calls would be sent');
    assert.equal(s.failoverPosts(), [], 'plan sends no failover');
    const r = await runCli(
      [
        'run',
        s.playbook,
        '--state-dir',
        s.stateDir,
        '--server',
        s.server.url,
        '--yes',
        '--resume',
        RUN_ID,
        '--report',
        join(s.stateDir, 'r.json'),
      ],
      { env: ENV },
    );
    assert.is(r.code, 0, r.stderr);
    assert.equal(s.failoverPosts(), ['erp-db02', 'erp-app01']);
    const newRun = readdirSync(join(s.stateDir, 'runs')).find((f) => f.endsWith('.jsonl') && !f.startsWith(RUN_ID))!;
    const journal = readFileSync(join(s.stateDir, 'runs', newRun), 'utf8');
    assert.match(journal, `resuming run ${RUN_ID}: no step was done there as a whole; VMs it failed over, not requested again: erp-db01`);
    // The fixture's journal holds a made-up sha256: as if the playbook had been edited since.
    assert.match(journal, `the playbook changed since run ${RUN_ID}: steps are matched by id and VMs by name`);
    const report = JSON.parse(readFileSync(join(s.stateDir, 'r.json'), 'utf8')) as {
      steps: { id: string; outcome: string; vms?: { name: string; state: string }[] }[];
    };
    assert.equal(
      report.steps.map((st) => [st.id, st.outcome, (st.vms ?? []).map((v) => `${v.name}:${v.state}`)]),
      [
        ['db', 'succeeded', ['erp-db02:failed-over']],
        ['app', 'succeeded', ['erp-app01:failed-over']],
      ],
    );
  } finally {
    await s.server.close();
  }
});

test('without --resume the same run asks for erp-db01 again, and EM refuses it; plan and run warn first, naming the earlier run and its time', async () => {
  const s = await afterPartialRun();
  try {
    const warning = `VM "erp-db01" (replica "ERP-CDP") was already failed over by run ${RUN_ID} ("Resume test") at 2026-11-27T10:22:37.000Z`;
    const plan = await runCli(['plan', s.playbook, '--state-dir', s.stateDir, '--server', s.server.url], { env: ENV });
    assert.is(plan.code, 0, plan.stderr);
    assert.match(plan.stderr, `runbook: warning: ${warning}`);
    assert.not.match(plan.stderr, 'erp-db02"');
    const r = await runCli(['run', s.playbook, '--state-dir', s.stateDir, '--server', s.server.url, '--yes'], { env: ENV });
    assert.match(r.stderr, `runbook: warning: ${warning}`);
    assert.is(r.code, 1, r.stderr);
    assert.ok(s.failoverPosts().includes('erp-db01'));
    assert.match(r.stderr, 'already failed over');
  } finally {
    await s.server.close();
  }
});

test('resuming a run that itself resumed one: the work of both is left out', async () => {
  const s = await afterPartialRun();
  try {
    // Run Y resumed RUN_ID (so erp-db01 is not in its report), failed over erp-db02, then died
    // before step db ended: only both reports together say step db is done.
    const taskId = await s.failOver('erp-db02');
    s.sim.log.length = 0;
    const Y = '20261127T112233Z-next';
    const at = (m: number) => new Date(Date.parse('2026-11-27T11:22:33Z') + m * 1000).toISOString();
    const start = JSON.parse(readFileSync(join(s.stateDir, 'runs', `${RUN_ID}.jsonl`), 'utf8').split('\n')[0]!) as Extract<
      JournalEntry,
      { type: 'run-start' }
    >;
    writeFileSync(
      join(s.stateDir, 'runs', `${Y}.jsonl`),
      toJsonl([
        { ...start, at: at(0), runId: Y, resumes: RUN_ID },
        { at: at(1), type: 'step-start', stepId: 'db', name: 'db', kind: 'failover' },
        {
          at: at(2),
          type: 'request-intent',
          stepId: 'db',
          target: 'erp-db02',
          targetId: s.vms.get('erp-db02')!,
          method: 'POST',
          path: `/cdpReplicas/${s.replicaId}/vms/${s.vms.get('erp-db02')!}?action=failover`,
          replica: 'ERP-CDP',
        },
        { at: at(2), type: 'request-accepted', stepId: 'db', target: 'erp-db02', taskId },
        { at: at(3), type: 'task-result', stepId: 'db', target: 'erp-db02', taskId, success: true, message: 'Ok' },
      ]),
    );
    const r = await runCli(['run', s.playbook, '--state-dir', s.stateDir, '--server', s.server.url, '--yes', '--resume', Y], { env: ENV });
    assert.is(r.code, 0, r.stderr);
    assert.equal(s.failoverPosts(), ['erp-app01']);
    assert.match(r.stdout, `done by run ${Y} (resumed)`);
  } finally {
    await s.server.close();
  }
});

test('a run that went on from one whose journal is gone cannot be resumed: what that one did is unknown', async () => {
  const s = await afterPartialRun();
  try {
    const path = join(s.stateDir, 'runs', `${RUN_ID}.jsonl`);
    const [first, ...rest] = readFileSync(path, 'utf8').split('\n');
    writeFileSync(path, [JSON.stringify({ ...(JSON.parse(first!) as object), resumes: '20261126T000000Z-gone' }), ...rest].join('\n'));
    const r = await runCli(['run', s.playbook, '--state-dir', s.stateDir, '--server', s.server.url, '--yes', '--resume', RUN_ID], {
      env: ENV,
    });
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, `--resume ${RUN_ID}: that run went on from run 20261126T000000Z-gone, whose journal is not in`);
    assert.equal(s.failoverPosts(), []);
  } finally {
    await s.server.close();
  }
});

test('a step the earlier run completed is not run again, and counts as succeeded for when', async () => {
  const s = await afterPartialRun();
  try {
    // The earlier run got further: erp-db02 failed over too, so step db was done.
    const journal = readFileSync(join(s.stateDir, 'runs', `${RUN_ID}.jsonl`), 'utf8');
    writeFileSync(
      join(s.stateDir, 'runs', `${RUN_ID}.jsonl`),
      journal + toJsonl([{ at: '2026-11-27T10:22:40.000Z', type: 'step-end', stepId: 'db', outcome: 'succeeded' }]),
    );
    const plan = await runCli(['plan', s.playbook, '--state-dir', s.stateDir, '--server', s.server.url, '--resume', RUN_ID], { env: ENV });
    assert.match(plan.stdout, `1. db: done by run ${RUN_ID} (resumed), not run again`);
    const r = await runCli(['run', s.playbook, '--state-dir', s.stateDir, '--server', s.server.url, '--yes', '--resume', RUN_ID], {
      env: ENV,
    });
    assert.is(r.code, 0, r.stderr);
    assert.equal(s.failoverPosts(), ['erp-app01'], 'app runs: its `when: {step: db}` sees db as succeeded');
    assert.match(r.stdout, `done by run ${RUN_ID} (resumed)`);
  } finally {
    await s.server.close();
  }
});

test('resuming a run that left a request of unknown outcome needs --ignore-unresolved, and asks for that VM again', async () => {
  const s = await afterPartialRun();
  try {
    const path = join(s.stateDir, 'runs', `${RUN_ID}.jsonl`);
    const intent: JournalEntry = {
      at: '2026-11-27T10:22:40.000Z',
      type: 'request-intent',
      stepId: 'db',
      target: 'erp-db02',
      targetId: s.vms.get('erp-db02')!,
      method: 'POST',
      path: '/x',
      replica: 'ERP-CDP',
    };
    writeFileSync(path, readFileSync(path, 'utf8') + toJsonl([intent]));
    const run = (...extra: string[]) =>
      runCli(['run', s.playbook, '--state-dir', s.stateDir, '--server', s.server.url, '--yes', '--resume', RUN_ID, ...extra], { env: ENV });
    const refused = await run();
    assert.is(refused.code, 5, refused.stderr);
    assert.match(refused.stderr, 'VM erp-db02 (replica ERP-CDP): requested, no answer recorded');
    assert.equal(s.failoverPosts(), []);
    const checked = await run('--ignore-unresolved');
    assert.is(checked.code, 0, checked.stderr);
    assert.equal(s.failoverPosts(), ['erp-db02', 'erp-app01']);
  } finally {
    await s.server.close();
  }
});

test('--resume refuses what it cannot go on from, before any failover is requested (exit 2)', async () => {
  const s = await afterPartialRun({ ticket: 'DR-0' });
  try {
    const run = (...extra: string[]) =>
      runCli(['run', s.playbook, '--state-dir', s.stateDir, '--server', s.server.url, '--yes', ...extra], { env: ENV });
    const params = await run('--resume', RUN_ID);
    assert.is(params.code, 2, params.stderr);
    assert.match(params.stderr, 'params differ from that run (ticket: "DR-0" then, "DR-1" now)');
    const unknown = await run('--resume', '20261127T000000Z-none');
    assert.is(unknown.code, 2);
    assert.match(unknown.stderr, 'no run "20261127T000000Z-none"');
    const rehearsal = await runCli(['run', s.playbook, '--simulate', '--resume', RUN_ID], { env: ENV });
    assert.is(rehearsal.code, 2);
    assert.match(rehearsal.stderr, 'a rehearsal (--simulate) starts from an empty simulator');
    // A later run exists: what the older one did may have changed since.
    const later = readFileSync(join(s.stateDir, 'runs', `${RUN_ID}.jsonl`), 'utf8').replaceAll(RUN_ID, '20261127T112233Z-late');
    writeFileSync(join(s.stateDir, 'runs', '20261127T112233Z-late.jsonl'), later);
    const older = await run('--resume', RUN_ID);
    assert.is(older.code, 2);
    assert.match(older.stderr, 'the last run of this playbook is 20261127T112233Z-late; resume that one');
    assert.equal(s.failoverPosts(), []);
  } finally {
    await s.server.close();
  }
});

test.run();
