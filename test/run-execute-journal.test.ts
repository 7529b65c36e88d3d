// The executor and its journal: a failover is sent only once its intent is durable, and a
// task it loses track of (session ended, polls failing for good) is journaled task-lost, ends
// unknown, is never re-sent, and replays to the report's states.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { executePlan } from '../engine/run/execute.js';
import { replay } from '../engine/state/replay.js';
import { planAndExecute, executeSetup as setup } from './helpers/execute-setup.js';
import { failoverStep, planFor, recorderFor } from './helpers/plan-fixture.js';

test("a task lost while polling (its session ended): the journal says so, and replays to the report's states", async () => {
  const vms = [
    { id: 'v1', name: 'vm1', durationMs: 60_000 },
    { id: 'v2', name: 'vm2', durationMs: 60_000 },
  ];
  const s = setup(vms, [failoverStep('db', ['vm1', 'vm2'])]);
  void s.clock.sleep(7_000).then(() => s.em.relogon());
  const { recorder, journal, result } = await planAndExecute(s);
  recorder.end(result.outcome, 1);

  const reported = result.report.steps[0]!.vms!.map((v) => [v.name, v.state]);
  assert.equal(reported, [
    ['vm1', 'unknown'],
    ['vm2', 'unknown'],
  ]);
  assert.equal(
    journal
      .filter((e) => e.type === 'task-lost')
      .map((e) => e.type === 'task-lost' && e.target)
      .sort(),
    ['vm1', 'vm2'],
  );
  const replayed = replay(result.report.runId, journal)
    .report.steps.flatMap((step) => step.vms ?? [])
    .map((v) => [v.name, v.state]);
  assert.equal(replayed, reported);
});

test('a failover POST leaves only once its journal intent is durable; an fsync failure sends nothing', async () => {
  const vms = [1, 2, 3].map((i) => ({ id: `v${i}`, name: `vm${i}`, durationMs: 5_000 }));
  const { clock, em, pb } = setup(vms, [failoverStep('db', ['vm1', 'vm2', 'vm3'])]);
  const plan = await planFor(pb, em.client);
  const order: string[] = [];
  let intents = 0;
  const failoverCdpVm = (...a: Parameters<typeof em.client.failoverCdpVm>) => {
    order.push('POST');
    return em.client.failoverCdpVm(...a);
  };
  const client = { ...em.client, failoverCdpVm };
  const { recorder } = recorderFor(plan, clock);
  const durableSink = {
    append: (e: { type: string }) => void (e.type === 'request-intent' && intents++),
    // Resolves a few microtasks later (not a macrotask: the FakeClock would jump ahead),
    // saying how many intents it covered.
    durable: async () => {
      const covered = intents;
      for (let i = 0; i < 3; i++) await null;
      order.push(`durable ${covered}`);
    },
  };
  (recorder as unknown as { journal: typeof durableSink }).journal = durableSink;
  const result = await executePlan({ plan, client, clock, recorder, signal: new AbortController().signal });
  assert.is(result.outcome, 'succeeded', JSON.stringify(result.failures));
  let durableUpTo = 0;
  let posts = 0;
  for (const o of order) {
    if (o === 'POST') assert.ok(++posts <= durableUpTo, `POST ${posts} sent with only ${durableUpTo} intents durable: ${order.join(', ')}`);
    else durableUpTo = Math.max(durableUpTo, Number(o.split(' ')[1]));
  }
  assert.is(posts, 3);

  const again = setup(vms, [failoverStep('db', ['vm1', 'vm2'])]);
  const plan2 = await planFor(again.pb, again.em.client);
  again.em.log.length = 0;
  const r2 = recorderFor(plan2, again.clock);
  (r2.recorder as unknown as { journal: typeof durableSink }).journal = {
    append: () => undefined,
    durable: () => Promise.reject(new Error('EIO: i/o error, fsync')),
  };
  const failed = await executePlan({
    plan: plan2,
    client: again.em.client,
    clock: again.clock,
    recorder: r2.recorder,
    signal: new AbortController().signal,
  });
  assert.is(failed.outcome, 'failed');
  assert.not.ok(
    again.em.log.some((l) => l.includes('action=failover')),
    'never sent without a durable intent',
  );
  assert.match(failed.report.steps[0]!.vms![0]!.message ?? '', /not sent: the journal could not be made durable \(EIO/);
});

test('polls failing for good with no rollback: the VM ends unknown (not running), journaled task-lost, listed for a manual check', async () => {
  const vms = [{ id: 'v1', name: 'vm1', durationMs: 60_000 }];
  const s = setup(vms, [failoverStep('db', ['vm1'], { onFailure: 'abort' })], { listTasksFailures: 1000 });
  const { journal, result } = await planAndExecute(s);
  assert.is(result.outcome, 'failed');
  const vm = result.report.steps[0]!.vms![0]!;
  assert.is(vm.state, 'unknown');
  assert.match(vm.message ?? '', /lost track of task task-1: .*whether it completed is unknown/);
  assert.equal(
    result.report.manual.map((m) => [m.target, m.reason]),
    [['vm1', 'unknown']],
  );
  assert.equal(
    journal.filter((e) => e.type === 'task-lost').map((e) => e.type === 'task-lost' && e.taskId),
    ['task-1'],
  );
  // Not stopped: the policy was abort, not rollback; and never re-sent.
  assert.not.ok(s.em.log.some((l) => l.startsWith('DELETE')));
  assert.is(s.em.log.filter((l) => l.includes('action=failover')).length, 1);
  const replayed = replay(result.report.runId, journal)
    .report.steps.flatMap((step) => step.vms ?? [])
    .map((v) => v.state);
  assert.equal(replayed, ['unknown']);
});

test.run();
