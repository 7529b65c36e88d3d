// `runbook rollback` (in process) before it touches EM: nothing unresolved, a run still
// alive or from another host, confirmation, a simulated run, missing credentials, usage.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runRollback } from '../engine/commands/rollback.js';
import { LockedError, UsageError } from '../engine/errors.js';
import { readJournal } from '../engine/state/journal.js';
import { loadRunStatus } from '../engine/state/run-status.js';
import { deadPid } from './helpers/dead-pid.js';
import { deadRunEntries, diedOnSimulator, fakeIO, RUN_ID, stateDirFor } from './helpers/rollback-setup.js';

test('nothing unresolved: exit 0 without logging on', async () => {
  const s = stateDirFor([
    ...deadRunEntries(deadPid(), []),
    { at: '2026-11-27T10:30:00.000Z', type: 'run-end', outcome: 'succeeded', exitCode: 0 },
  ]);
  const io = fakeIO({ cwd: s.dir });
  const code = await runRollback(['--run', RUN_ID, '--state-dir', s.stateDir], io, {
    createClient: () => assert.unreachable('no logon expected') as never,
  });
  assert.is(code, 0);
  assert.match(io.out(), 'nothing unresolved');
});

test('a run still alive is refused (exit 5); one from another host needs --force', async () => {
  const alive = stateDirFor(deadRunEntries(process.pid, [{ vm: 'erp-db01', vmId: 'vm-1', taskId: 'task-1' }]));
  try {
    await runRollback(['--run', RUN_ID, '--state-dir', alive.stateDir, '--yes'], fakeIO({ cwd: alive.dir }), {});
    assert.unreachable();
  } catch (error) {
    assert.instance(error, LockedError);
    assert.is((error as LockedError).exitCode, 5);
    assert.match((error as Error).message, `still running (pid ${process.pid}`);
  }
  const entries = deadRunEntries(deadPid(), [{ vm: 'erp-db01', vmId: 'vm-1', taskId: 'task-1' }], { simulated: true });
  const first = entries[0]!;
  if (first.type === 'run-start') first.host = { hostname: 'elsewhere-host', user: 'x' };
  const other = stateDirFor(entries);
  await runRollback(['--run', RUN_ID, '--state-dir', other.stateDir, '--yes'], fakeIO({ cwd: other.dir }), {}).then(
    () => assert.unreachable(),
    (error: unknown) => assert.match((error as Error).message, 'pass --force'),
  );
  assert.is(await runRollback(['--run', RUN_ID, '--state-dir', other.stateDir, '--yes', '--force'], fakeIO({ cwd: other.dir }), {}), 0);
});

test('confirmation: required without a terminal; "n" at the prompt does nothing', async () => {
  const s = await diedOnSimulator();
  await runRollback(['--run', RUN_ID, '--state-dir', s.stateDir], fakeIO({ cwd: s.dir, env: s.env }), s.deps).then(
    () => assert.unreachable(),
    (error: unknown) => {
      assert.instance(error, UsageError);
      assert.match((error as Error).message, 'pass --yes');
    },
  );
  const io = fakeIO({ cwd: s.dir, env: s.env, answer: 'n' });
  assert.is(await runRollback(['--run', RUN_ID, '--state-dir', s.stateDir], io, s.deps), 1);
  assert.match(io.err(), 'nothing was done');
  assert.not.ok(
    s.sim.log.some((e) => e.session === 's2'),
    'no logon',
  );
  assert.not.ok(readJournal(join(s.stateDir, 'runs', `${RUN_ID}.jsonl`)).entries.some((e) => e.type === 'rollback'));
  const yes = fakeIO({ cwd: s.dir, env: s.env, answer: 'y' });
  assert.is(await runRollback(['--run', RUN_ID, '--state-dir', s.stateDir], yes, s.deps), 1);
  assert.match(yes.out(), 'cannot be seen by a new session');
});

test('a simulated run: nothing exists to stop; recorded and resolved (exit 0)', async () => {
  const s = stateDirFor(
    deadRunEntries(deadPid(), [{ vm: 'erp-db01', vmId: 'vm-1', taskId: 'task-1' }], { simulated: true, url: 'sim://embedded' }),
  );
  const io = fakeIO({ cwd: s.dir });
  assert.is(
    await runRollback(['--run', RUN_ID, '--state-dir', s.stateDir, '--yes'], io, { createClient: () => assert.unreachable() as never }),
    0,
  );
  assert.equal(loadRunStatus(s.stateDir, RUN_ID).unresolved, []);
  assert.match(readFileSync(join(s.stateDir, 'runs', `${RUN_ID}.jsonl`), 'utf8'), 'simulated run');
});

test('missing credentials: exit 2 naming what is missing, nothing recorded', async () => {
  const s = stateDirFor(deadRunEntries(deadPid(), [{ vm: 'erp-db01', vmId: 'vm-1', taskId: 'task-1' }]));
  const io = fakeIO({ cwd: s.dir, env: {} });
  await runRollback(['--run', RUN_ID, '--state-dir', s.stateDir, '--yes'], io, {}).then(
    () => assert.unreachable(),
    (error: unknown) => {
      assert.instance(error, UsageError);
      assert.match((error as Error).message, 'missing the password (VEEAM_EM_PASSWORD, VEEAM_EM_PASSWORD_FILE or server.password)');
    },
  );
  assert.not.ok(readJournal(join(s.stateDir, 'runs', `${RUN_ID}.jsonl`)).entries.some((e) => e.type === 'rollback'));
});

test('usage: --run is required', async () => {
  await runRollback([], fakeIO({ cwd: '/' }), {}).then(
    () => assert.unreachable(),
    (error: unknown) => assert.match((error as Error).message, '--run ID is required'),
  );
});

test.run();
