// `runbook run --resume RUN_ID`: going on from a run that stopped part-way, as a user runs
// it (the built CLI against the simulator over HTTP): what that run did is not asked again.
// What --resume refuses is run-resume-refusals.test.ts.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { JournalEntry } from '../engine/state/journal-types.js';
import { runCli } from './helpers/cli.js';
import { toJsonl } from './helpers/journal-fixture.js';
import { afterPartialRun, ENV, RUN_ID } from './helpers/resume-setup.js';

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

test.run();
