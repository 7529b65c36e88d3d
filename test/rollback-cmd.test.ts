// `runbook rollback` (in process) on the tasks a dead run left: a new session that cannot see
// them (tasks belong to their logon session) says so and settles what it can from restore
// sessions; one that can stops running tasks and records finished ones; a task read
// OperationFinished is never deleted. Refusals, confirmation and usage are
// rollback-cmd-guards.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runRollback } from '../engine/commands/rollback.js';
import { EmHttpError } from '../engine/errors.js';
import type { EmClient } from '../engine/api/types.js';
import { readJournal } from '../engine/state/journal.js';
import { loadRunStatus } from '../engine/state/run-status.js';
import { diedOnFakeEm, diedOnSimulator, fakeIO, PASSWORD, RUN_ID } from './helpers/rollback-setup.js';

test('simulator: a new session cannot see the dead run’s tasks (404): said plainly, VMs listed to check by hand, exit 1', async () => {
  const s = await diedOnSimulator();
  const io = fakeIO({ cwd: s.dir, env: s.env });
  const code = await runRollback(['--run', RUN_ID, '--state-dir', s.stateDir, '--yes'], io, s.deps);
  assert.is(code, 1, io.err());
  const out = io.out();
  assert.match(out, 'cannot be seen by a new session');
  // Their restore sessions (any session may read them, §6.4) say the failovers still run: said, not "stopped".
  assert.match(out, /restore session erp-db01@\S+ \S+ is Working: the failover of VM "erp-db01".* still runs on the backup server/);
  assert.match(out, 'Still to check by hand in Enterprise Manager (3)');
  for (const a of s.accepted) assert.match(out, `VM ${a.vm}, replica ERP-CDP, task ${a.taskId}`);
  assert.match(out, 'VM erp-app02, replica ERP-CDP (step "Database tier")');

  // What EM saw: a second session asked about each task and got 404; nothing was deleted.
  const rollbackCalls = s.sim.log.filter((e) => e.session === 's2' && e.path.startsWith('/tasks'));
  assert.equal(
    rollbackCalls.map((e) => `${e.method} ${e.path} ${e.status}`),
    s.accepted.map((a) => `GET /tasks/${a.taskId} 404`).reverse(),
  );
  assert.not.ok(s.sim.log.some((e) => e.method === 'DELETE' && e.path.startsWith('/tasks')));
  // Honest: the failovers are still running in EM; rollback did not pretend to stop them.
  for (const a of s.accepted) assert.is(s.sim.state.tasks.find((t) => t.taskId === a.taskId)?.state, 'Running');
  assert.is(s.sim.state.sessions, 1, 'rollback logged out its own session');

  // Recorded in the same journal; status still lists all three as unresolved.
  const entries = readJournal(join(s.stateDir, 'runs', `${RUN_ID}.jsonl`)).entries;
  const actions = entries.filter((e) => e.type === 'rollback');
  assert.is(actions.length, 3);
  assert.ok(actions.every((a) => a.type === 'rollback' && a.action === 'manual' && !a.ok));
  assert.is(loadRunStatus(s.stateDir, RUN_ID).unresolved.length, 3);
  // Credentials came from the playbook's env references; the password is nowhere.
  assert.not.ok(readFileSync(join(s.stateDir, 'runs', `${RUN_ID}.jsonl`), 'utf8').includes(PASSWORD));
  assert.not.ok(out.includes(PASSWORD) || io.err().includes(PASSWORD));
});

test("simulator: tasks the new session cannot see are settled from their VMs' restore sessions (failed over), never re-sent; no task id and no session: still open", async () => {
  const s = await diedOnSimulator();
  await s.clock.advance(2 * 3_600_000); // the 1 h failovers end while nobody watches
  const io = fakeIO({ cwd: s.dir, env: s.env });
  const code = await runRollback(['--run', RUN_ID, '--state-dir', s.stateDir, '--yes'], io, s.deps);
  assert.is(code, 1, io.err());
  assert.match(io.out(), /erp-db01: restore session erp-db01@\S+ \S+ ended Success: the VM IS failed over/);
  assert.not.ok(s.sim.log.some((e) => e.method === 'DELETE' && e.path.startsWith('/tasks')));
  assert.is(s.sim.log.filter((e) => e.method === 'POST' && e.query === 'action=failover').length, 2, 'nothing re-sent');
  const status = loadRunStatus(s.stateDir, RUN_ID);
  assert.equal(
    status.report.steps[0]!.vms!.map((v) => [v.name, v.state]),
    [
      ['erp-db01', 'failed-over'],
      ['erp-app01', 'failed-over'],
      ['erp-app02', 'unknown'],
    ],
  );
  assert.equal(
    status.unresolved.map((u) => u.request.target),
    ['erp-app02'],
  );
});

test('when EM does let the session see them: a running task is stopped and confirmed, a finished one recorded; exit 0', async () => {
  const s = await diedOnFakeEm({ erpDb01: 3_600_000, erpApp01: 1_000 });
  const { clock, fake, t1, t2 } = s;
  await clock.advance(2_000); // erp-app01 finishes while nobody watches
  const io = fakeIO({ cwd: s.dir, env: s.env });
  const code = await runRollback(['--run', RUN_ID, '--state-dir', s.stateDir, '--yes'], io, { clock, createClient: () => fake.client });
  assert.is(code, 0, io.out() + io.err());
  assert.equal(
    fake.log.filter((l) => l.includes('/tasks/')),
    [`GET /tasks/${t2.taskId}`, `GET /tasks/${t1.taskId}`, `DELETE /tasks/${t1.taskId}`, `GET /tasks/${t1.taskId}`],
  );
  assert.match(io.out(), 'nothing left unresolved');
  const status = loadRunStatus(s.stateDir, RUN_ID);
  const vms = status.report.steps[0]!.vms!;
  assert.equal(
    vms.map((v) => [v.name, v.state]),
    [
      ['erp-db01', 'stopped'],
      ['erp-app01', 'failed-over'],
    ],
  );
  assert.ok(
    status.report.manual.some((m) => m.target === 'erp-app01' && m.reason === 'failed-over'),
    'the finished failover is left for the operator',
  );
});

test('runbook rollback: a task read OperationFinished is never DELETEd (awaited until Finished, recorded failed over); one whose reads fail is left open, never "stopped"', async () => {
  const s = await diedOnFakeEm({ erpDb01: 1_000, erpApp01: 3_600_000 });
  const { clock, fake, t2 } = s;
  // erp-db01: the backup server has finished; EM collects the result 10 minutes later.
  const collectedAt = clock.now() + 600_000;
  const client: EmClient = {
    ...fake.client,
    async getTask(taskId, options) {
      if (taskId === t2.taskId) {
        fake.log.push(`GET /tasks/${taskId} 503`);
        throw new EmHttpError({ method: 'GET', path: `/tasks/${taskId}`, status: 503, emMessage: 'busy' });
      }
      const task = await fake.client.getTask(taskId, options);
      return clock.now() < collectedAt
        ? { ...task, state: 'OperationFinished', result: { success: true, message: 'OperationFinished' } }
        : task;
    },
  };
  const io = fakeIO({ cwd: s.dir, env: s.env });
  const code = await runRollback(['--run', RUN_ID, '--state-dir', s.stateDir, '--yes'], io, { clock, createClient: () => client });
  assert.is(code, 1, io.out() + io.err());
  assert.not.ok(
    fake.log.some((l) => l.startsWith('DELETE /tasks')),
    fake.log.join('\n'),
  );
  assert.equal(fake.log.filter((l) => l.includes(t2.taskId)).length, 3, 'the failing read was retried');
  const status = loadRunStatus(s.stateDir, RUN_ID);
  const vms = status.report.steps[0]!.vms!;
  assert.equal(
    vms.map((v) => [v.name, v.state]),
    [
      ['erp-db01', 'failed-over'],
      ['erp-app01', 'running'],
    ],
  );
  assert.equal(
    status.unresolved.map((u) => u.request.target),
    ['erp-app01'],
  );
  assert.match(io.out(), /could not read task task-2 \(.*\), so it was not stopped/);
});

test.run();
