// Rollback by task deletion, at the executor level (fake EM client, FakeClock): what is
// journaled and reported when a task finishes before its stop takes effect.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { EmClient } from '../engine/api/types.js';
import { OutcomeUnknownError } from '../engine/errors.js';
import { renderSummary } from '../engine/report/summary.js';
import type { Step } from '../engine/playbook/types.js';
import { planAndExecute, executeSetup as setup } from './helpers/execute-setup.js';
import type { FakeVm } from './helpers/fake-em-client.js';
import { common, failoverStep as failover } from './helpers/plan-fixture.js';

test('a task that finishes before its stop: task-result journaled, VM reported failed over, manual action listed', async () => {
  const vms: FakeVm[] = [
    { id: 'v1', name: 'vm1', durationMs: 60_000 },
    { id: 'v2', name: 'vm2', durationMs: 5_000, fail: 'result-false' },
  ];
  const s = setup(vms, [failover('db', ['vm1', 'vm2'], { onFailure: 'rollback' })]);
  const { clock, em } = s;
  // EM finishes vm1's failover just as the DELETE arrives: the stop has no effect.
  const client: EmClient = {
    ...em.client,
    async deleteTask(taskId) {
      const t = em.tasks.get(taskId);
      if (taskId === 'task-1' && t && clock.now() < t.finishAt) {
        em.log.push(`DELETE /tasks/${taskId}`);
        t.finishAt = clock.now();
        return;
      }
      return em.client.deleteTask(taskId);
    },
  };
  const { recorder, journal, result } = await planAndExecute(s, { client });

  // vm1 stays failed over: the run failed, it is not "rolled back", and the headline says why.
  assert.is(result.outcome, 'failed');
  assert.match(renderSummary(recorder.end(result.outcome, 1)), /FAILED: 1 VM still failed over \(EM cannot undo a CDP failover\)/);
  const vm1 = result.report.steps[0]!.vms!.find((v) => v.name === 'vm1')!;
  assert.is(vm1.state, 'failed-over');
  const results = journal.filter((e) => e.type === 'task-result' && e.target === 'vm1');
  assert.equal(
    results.map((e) => e.type === 'task-result' && [e.taskId, e.success]),
    [['task-1', true]],
  );
  const stop = result.report.rollback.find((r) => r.action === 'delete-task' && r.target === 'vm1')!;
  assert.is(stop.ok, false);
  assert.match(stop.message, /IS failed over/);
  assert.equal(
    result.report.manual.map((m) => [m.target, m.reason]),
    [['vm1', 'failed-over']],
  );
});

test('steps skipped after a failure are journaled with step-start before step-end', async () => {
  const steps: Step[] = [failover('db', ['vm1']), { ...common('grp'), kind: 'parallel', steps: [failover('a', []), failover('b', [])] }];
  const { journal } = await planAndExecute(setup([{ id: 'v1', name: 'vm1', fail: 'result-false' }], steps));
  const lines = journal
    .filter((e) => e.type === 'step-start' || e.type === 'step-end')
    .map((e) => `${e.type} ${e.stepId}${e.type === 'step-start' ? ` ${e.kind}` : ''}`);
  assert.equal(lines, [
    'step-start db failover',
    'step-end db',
    'step-start grp parallel',
    'step-end grp',
    'step-start a failover',
    'step-end a',
    'step-start b failover',
    'step-end b',
  ]);
});

test('a stop that meets a 404 for a task of an EARLIER session: VM unknown + manual check, journaled task-lost, never "confirmed gone"', async () => {
  const s = setup([{ id: 'v1', name: 'vm1', durationMs: 600_000 }], [failover('db', ['vm1'], { timeoutMs: 60_000 })]);
  // The session ends while the task runs (EM idle expiry): the client logs on again.
  void s.clock.sleep(30_000).then(() => s.em.relogon());
  const { journal, result } = await planAndExecute(s);

  assert.is(result.outcome, 'failed');
  const vm1 = result.report.steps[0]!.vms![0]!;
  assert.is(vm1.state, 'unknown');
  assert.match(vm1.message ?? '', /earlier logon session/);
  assert.equal(
    result.report.manual.map((m) => [m.target, m.reason]),
    [['vm1', 'unknown']],
  );
  assert.not.ok(result.report.rollback.some((r) => r.ok && /confirmed gone/.test(r.message)));
  assert.ok(journal.some((e) => e.type === 'task-lost' && e.target === 'vm1' && e.taskId === 'task-1'));
});

test('a stop reads the task first: one that finished unseen keeps its result (DELETE would make EM forget it)', async () => {
  const s = setup([{ id: 'v1', name: 'vm1', durationMs: 12_000 }], [failover('db', ['vm1'], { timeoutMs: 60_000, onFailure: 'rollback' })]);
  const { em } = s;
  // Polls fail for good (EM overloaded; the poller gives up at 15 s): the 12 s task finishes while nobody can see it.
  const client: EmClient = { ...em.client, listTasks: async () => Promise.reject(new Error('GET /tasks: 503')) };
  const { journal, result } = await planAndExecute(s, { client });

  const vm1 = result.report.steps[0]!.vms![0]!;
  assert.is(vm1.state, 'failed-over');
  const tasks = em.log.filter((l) => l.includes('/tasks/task-1'));
  assert.equal(tasks.slice(0, 2), ['GET /tasks/task-1', 'DELETE /tasks/task-1']);
  assert.ok(journal.some((e) => e.type === 'task-result' && e.target === 'vm1' && e.success));
});

test('a DELETE whose answer is lost, then the task is gone: VM unknown + manual check, never "stopped", DELETE not re-sent', async () => {
  const s = setup(
    [{ id: 'v1', name: 'vm1', durationMs: 600_000 }],
    [failover('db', ['vm1'], { timeoutMs: 60_000, onFailure: 'rollback' })],
  );
  const { em } = s;
  // EM processes the DELETE (the task is gone), then the connection drops before the answer.
  // (Object.create keeps the fake's live `sessionEpoch` getter; a spread would freeze it.)
  const client: EmClient = Object.create(em.client);
  client.deleteTask = async (taskId) => {
    await em.client.deleteTask(taskId);
    throw new OutcomeUnknownError({ method: 'DELETE', path: `/tasks/${taskId}` }, 'outcome unknown (connection reset)');
  };
  const { result } = await planAndExecute(s, { client });

  const vm1 = result.report.steps[0]!.vms![0]!;
  assert.is(vm1.state, 'unknown');
  assert.match(vm1.message ?? '', /gone after a DELETE whose answer was lost/);
  assert.equal(
    result.report.manual.map((m) => [m.target, m.reason]),
    [['vm1', 'unknown']],
  );
  assert.not.ok(result.report.rollback.some((r) => r.ok && /stopped/.test(r.message)));
  assert.is(em.log.filter((l) => l === 'DELETE /tasks/task-1').length, 1, em.log.join('\n'));
});

test.run();
