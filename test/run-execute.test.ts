// The executor's failover fan-out against a fake EM client (FakeClock): one request per VM,
// the step's concurrency, stopping running siblings on rollback, unknown outcomes, Ctrl-C and
// step timeouts. Exec steps are run-execute-exec.test.ts; lost tasks and journal durability
// are run-execute-journal.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InterruptedError } from '../engine/errors.js';
import { executePlan } from '../engine/run/execute.js';
import type { FakeVm } from './helpers/fake-em-client.js';
import { executeSetup as setup } from './helpers/execute-setup.js';
import { common, failoverStep, planFor, recorderFor } from './helpers/plan-fixture.js';

test('fails over every VM once, one GET /tasks per tick, deletes finished tasks', async () => {
  const vms = [1, 2, 3].map((i) => ({ id: `v${i}`, name: `vm${i}`, durationMs: 12_000 }));
  const { clock, em, pb } = setup(vms, [failoverStep('db', ['vm1', 'vm2', 'vm3'])]);
  const plan = await planFor(pb, em.client);
  assert.equal(plan.problems, []);
  em.log.length = 0;
  const { recorder, journal } = recorderFor(plan, clock);
  const result = await executePlan({ plan, client: em.client, clock, recorder, signal: new AbortController().signal });
  assert.is(result.outcome, 'succeeded');
  const posts = em.log.filter((l) => l.includes('action=failover'));
  assert.equal(posts.length, 3);
  // 12 s tasks polled every 5 s: ticks at 5, 10, 15 s: three list reads for three tasks.
  assert.is(em.log.filter((l) => l === 'GET /tasks').length, 3);
  assert.is(result.polls, 3);
  assert.equal(em.log.filter((l) => l.startsWith('DELETE /tasks/')).sort(), [
    'DELETE /tasks/task-1',
    'DELETE /tasks/task-2',
    'DELETE /tasks/task-3',
  ]);
  assert.ok(result.report.steps[0]!.vms!.every((v) => v.state === 'failed-over'));
  // The intent is journaled before the request is sent.
  const intents = journal.filter((e) => e.type === 'request-intent');
  assert.is(intents.length, 3);
  const firstIntent = journal.findIndex((e) => e.type === 'request-intent');
  const firstAccepted = journal.findIndex((e) => e.type === 'request-accepted');
  assert.ok(firstIntent < firstAccepted);
});

test('fan-out never exceeds the step concurrency', async () => {
  const vms = [1, 2, 3, 4, 5].map((i) => ({ id: `v${i}`, name: `vm${i}`, durationMs: 10_000 }));
  const { clock, em, pb } = setup(vms, [
    failoverStep(
      'db',
      vms.map((v) => v.name),
      { concurrency: 2 },
    ),
  ]);
  const plan = await planFor(pb, em.client);
  const { recorder } = recorderFor(plan, clock);
  let inFlight = 0;
  let max = 0;
  recorder.on((e) => {
    if (e.type !== 'vm') return;
    if (e.state === 'requested') max = Math.max(max, ++inFlight);
    if (e.state === 'done' || e.state === 'failed') inFlight--;
  });
  const result = await executePlan({ plan, client: em.client, clock, recorder, signal: new AbortController().signal });
  assert.is(result.outcome, 'succeeded');
  assert.is(max, 2);
});

test('a VM failing mid-fan-out under rollback: running siblings are stopped by DELETE, newest first', async () => {
  const vms: FakeVm[] = [
    { id: 'v1', name: 'vm1', durationMs: 60_000 },
    { id: 'v2', name: 'vm2', durationMs: 60_000 },
    { id: 'v3', name: 'vm3', durationMs: 5_000, fail: 'result-false' },
    { id: 'v4', name: 'vm4', durationMs: 60_000 },
  ];
  const { clock, em, pb } = setup(vms, [
    failoverStep('db', ['vm1', 'vm2', 'vm3', 'vm4'], { concurrency: 3, onFailure: 'rollback' }),
    failoverStep('app', []),
  ]);
  const plan = await planFor(pb, em.client);
  em.log.length = 0;
  const { recorder } = recorderFor(plan, clock);
  const result = await executePlan({ plan, client: em.client, clock, recorder, signal: new AbortController().signal });
  assert.is(result.outcome, 'rolled-back');
  // vm4 was queued and never requested.
  assert.not.ok(em.log.some((l) => l.includes('/vms/v4?action=failover')));
  const deletes = em.log.filter((l) => l.startsWith('DELETE /tasks/'));
  // task-3 (vm3, finished) deleted for hygiene, then task-2 and task-1 stopped newest first.
  assert.equal(deletes, ['DELETE /tasks/task-3', 'DELETE /tasks/task-2', 'DELETE /tasks/task-1']);
  const states = Object.fromEntries(result.report.steps[0]!.vms!.map((v) => [v.name, v.state]));
  assert.equal(states, { vm1: 'stopped', vm2: 'stopped', vm3: 'failed', vm4: 'not-started' });
  assert.ok(result.report.rollback.filter((r) => r.action === 'delete-task').every((r) => r.ok));
  assert.is(result.report.steps[1]!.outcome, 'skipped');
});

test('an unknown outcome is never re-sent and is listed for the operator', async () => {
  const vms: FakeVm[] = [{ id: 'v1', name: 'vm1', fail: 'unknown' }];
  const { clock, em, pb } = setup(vms, [failoverStep('db', ['vm1'])]);
  const plan = await planFor(pb, em.client);
  em.log.length = 0;
  const { recorder } = recorderFor(plan, clock);
  const result = await executePlan({ plan, client: em.client, clock, recorder, signal: new AbortController().signal });
  assert.is(result.outcome, 'failed');
  assert.is(em.log.filter((l) => l.includes('action=failover')).length, 1);
  assert.is(result.report.steps[0]!.vms![0]!.state, 'unknown');
  assert.equal(
    result.report.manual.map((m) => m.reason),
    ['unknown'],
  );
});

test('interrupt: stops launching, deletes running tasks, ends interrupted', async () => {
  const vms = [1, 2].map((i) => ({ id: `v${i}`, name: `vm${i}`, durationMs: 60_000 }));
  const { clock, em, pb } = setup(vms, [failoverStep('db', ['vm1', 'vm2']), failoverStep('app', [])]);
  const plan = await planFor(pb, em.client);
  em.log.length = 0;
  const { recorder } = recorderFor(plan, clock);
  const controller = new AbortController();
  recorder.on((e) => {
    if (e.type === 'vm' && e.state === 'running' && e.vm === 'vm2') controller.abort(new InterruptedError('SIGINT'));
  });
  const result = await executePlan({ plan, client: em.client, clock, recorder, signal: controller.signal });
  assert.is(result.outcome, 'interrupted');
  assert.instance(result.interrupted, InterruptedError);
  assert.equal(
    em.log.filter((l) => l.startsWith('DELETE /tasks/')),
    ['DELETE /tasks/task-2', 'DELETE /tasks/task-1'],
  );
  assert.is(result.report.steps[1]!.outcome, 'skipped');
});

test('interrupt: an always: true step is skipped too (Ctrl-C means stop launching work; documented in run --help)', async () => {
  const { clock, em, pb } = setup(
    [{ id: 'v1', name: 'vm1', durationMs: 60_000 }],
    [failoverStep('db', ['vm1']), { ...common('notify'), kind: 'wait', durationMs: 1000, always: true }],
  );
  const plan = await planFor(pb, em.client);
  const { recorder } = recorderFor(plan, clock);
  const controller = new AbortController();
  recorder.on((e) => {
    if (e.type === 'vm' && e.state === 'running') controller.abort(new InterruptedError('SIGINT'));
  });
  const result = await executePlan({ plan, client: em.client, clock, recorder, signal: controller.signal });
  assert.is(result.outcome, 'interrupted');
  const notify = result.report.steps.find((s) => s.id === 'notify')!;
  assert.equal([notify.outcome, notify.skipReason], ['skipped', 'the run was interrupted']);
});

test('step timeout stops the step tasks and fails it', async () => {
  const { clock, em, pb } = setup([{ id: 'v1', name: 'vm1', durationMs: 600_000 }], [failoverStep('db', ['vm1'], { timeoutMs: 60_000 })]);
  const plan = await planFor(pb, em.client);
  em.log.length = 0;
  const { recorder } = recorderFor(plan, clock);
  const result = await executePlan({ plan, client: em.client, clock, recorder, signal: new AbortController().signal });
  assert.is(result.outcome, 'failed');
  assert.ok(em.log.includes('DELETE /tasks/task-1'));
  assert.is(result.report.steps[0]!.vms![0]!.state, 'stopped');
  assert.match(result.report.steps[0]!.error ?? '', /timed out/);
});

test.run();
