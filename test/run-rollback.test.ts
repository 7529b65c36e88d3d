// Rollback by task deletion, at the executor level (fake EM client, FakeClock): what is
// journaled and reported when a task finishes before its stop takes effect.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { EmClient } from '../engine/api/types.js';
import { FakeClock } from '../engine/clock.js';
import { executePlan } from '../engine/run/execute.js';
import type { Step } from '../engine/playbook/types.js';
import { createFakeEm } from './helpers/fake-em-client.js';
import { common, planFor, playbook, recorderFor } from './helpers/plan-fixture.js';

const failover = (id: string, vms: string[], over: Partial<Extract<Step, { kind: 'failover' }>> = {}): Step => ({
  ...common(id),
  kind: 'failover',
  cdpReplica: 'CDP Policy 1',
  vms,
  restorePoint: { kind: 'latest' },
  concurrency: 10,
  ...over,
});

test('a task that finishes before its stop: task-result journaled, VM reported failed over, manual action listed', async () => {
  const clock = new FakeClock({ auto: true });
  const em = createFakeEm({
    clock,
    replicas: [
      {
        id: 'r1',
        name: 'CDP Policy 1',
        vms: [
          { id: 'v1', name: 'vm1', durationMs: 60_000 },
          { id: 'v2', name: 'vm2', durationMs: 5_000, fail: 'result-false' },
        ],
      },
    ],
  });
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
  const plan = await planFor(playbook([failover('db', ['vm1', 'vm2'], { onFailure: 'rollback' })]), client);
  const { recorder, journal } = recorderFor(plan, clock);
  const result = await executePlan({ plan, client, clock, recorder, signal: new AbortController().signal });

  assert.is(result.outcome, 'rolled-back');
  const vm1 = result.report.steps[0]!.vms!.find((v) => v.name === 'vm1')!;
  assert.is(vm1.state, 'failed-over');
  const results = journal.filter((e) => e.type === 'task-result' && e.target === 'vm1');
  assert.equal(results.map((e) => e.type === 'task-result' && [e.taskId, e.success]), [['task-1', true]]);
  const stop = result.report.rollback.find((r) => r.action === 'delete-task' && r.target === 'vm1')!;
  assert.is(stop.ok, false);
  assert.match(stop.message, /IS failed over/);
  assert.equal(result.report.manual.map((m) => [m.target, m.reason]), [['vm1', 'failed-over']]);
});

test('steps skipped after a failure are journaled with step-start before step-end', async () => {
  const clock = new FakeClock({ auto: true });
  const em = createFakeEm({ clock, replicas: [{ id: 'r1', name: 'CDP Policy 1', vms: [{ id: 'v1', name: 'vm1', fail: 'result-false' }] }] });
  const steps: Step[] = [failover('db', ['vm1']), { ...common('grp'), kind: 'parallel', steps: [failover('a', []), failover('b', [])] }];
  const plan = await planFor(playbook(steps), em.client);
  const { recorder, journal } = recorderFor(plan, clock);
  await executePlan({ plan, client: em.client, clock, recorder, signal: new AbortController().signal });
  const lines = journal.filter((e) => e.type === 'step-start' || e.type === 'step-end').map((e) => `${e.type} ${e.stepId}${e.type === 'step-start' ? ` ${e.kind}` : ''}`);
  assert.equal(lines, ['step-start db failover', 'step-end db', 'step-start grp parallel', 'step-end grp', 'step-start a failover', 'step-end a', 'step-start b failover', 'step-end b']);
});

test.run();
