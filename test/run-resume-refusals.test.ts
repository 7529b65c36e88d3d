// `runbook run --resume RUN_ID` refusing what it cannot go on from, as a user runs it (the
// built CLI against the simulator over HTTP): a missing journal up the chain, a request of
// unknown outcome, other params, an unknown or older run, a rehearsal.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { JournalEntry } from '../engine/state/journal-types.js';
import { runCli } from './helpers/cli.js';
import { toJsonl } from './helpers/journal-fixture.js';
import { afterPartialRun, ENV, RUN_ID } from './helpers/resume-setup.js';

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
