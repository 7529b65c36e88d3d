import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock } from '../engine/clock.js';
import { InterruptedError } from '../engine/errors.js';
import { executePlan } from '../engine/run/execute.js';
import type { ExecRunner } from '../engine/run/exec-runner.js';
import { replay } from '../engine/state/replay.js';
import type { Step } from '../engine/playbook/types.js';
import { createFakeEm, type FakeVm } from './helpers/fake-em-client.js';
import { common, failoverStep, planFor, playbook, recorderFor } from './helpers/plan-fixture.js';

function setup(vms: FakeVm[], steps: Step[], extra: Parameters<typeof createFakeEm>[0] extends infer O ? Partial<O> : never = {}) {
  const clock = new FakeClock({ auto: true });
  const em = createFakeEm({ clock, replicas: [{ id: 'r1', name: 'CDP Policy 1', vms }], ...extra });
  return { clock, em, pb: playbook(steps) };
}

const fakeExec = (codes: Record<string, number>, calls: string[]): ExecRunner => ({
  async run(req) {
    calls.push(req.command.join(' '));
    return { exitCode: codes[req.command.join(' ')] ?? 0, output: '' };
  },
});

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

test('rollback undoes a completed plan start and runs exec undo, newest first; CDP failovers become manual', async () => {
  const calls: string[] = [];
  const steps: Step[] = [
    { ...common('prep'), kind: 'exec', command: ['prep'], shell: false, env: {}, expectExit: 0, undo: ['unprep'] },
    { ...common('plan'), kind: 'failoverPlan', plan: 'Plan A', action: 'start' },
    failoverStep('db', ['vm1']),
    {
      ...common('notify'),
      kind: 'exec',
      command: ['boom'],
      shell: false,
      env: {},
      expectExit: 0,
      onFailure: 'rollback',
      retry: { attempts: 1, backoffMs: 1, maxBackoffMs: 1 },
    },
  ];
  const { clock, em, pb } = setup([{ id: 'v1', name: 'vm1' }], steps, { plans: [{ id: 'p1', name: 'Plan A' }] });
  const plan = await planFor(pb, em.client);
  em.log.length = 0;
  const { recorder } = recorderFor(plan, clock);
  const result = await executePlan({
    plan,
    client: em.client,
    clock,
    recorder,
    signal: new AbortController().signal,
    exec: fakeExec({ boom: 1 }, calls),
  });
  // vm1 stays failed over (EM cannot undo a CDP failover): the run is not "rolled back".
  assert.is(result.outcome, 'failed');
  assert.equal(calls, ['prep', 'boom', 'unprep']);
  assert.ok(em.log.includes('POST /failoverPlans/p1?action=undo'));
  assert.equal(
    result.report.rollback.map((r) => r.action),
    ['undo-plan', 'exec-undo', 'manual'],
  );
  assert.equal(
    result.report.manual.map((m) => [m.target, m.reason]),
    [['vm1', 'failed-over']],
  );
});

test('exec commands and their undo learn the run through RUNBOOK_* variables (the step env wins, the inherited env does not)', async () => {
  const seen = new Map<string, Record<string, string | undefined>>();
  const exec: ExecRunner = {
    async run(req) {
      seen.set(req.command.join(' '), req.env);
      return { exitCode: req.command[0] === 'fail' ? 1 : 0, output: '' };
    },
  };
  const once = { retry: { attempts: 1, backoffMs: 1, maxBackoffMs: 1 } };
  const steps: Step[] = [
    { ...common('a'), kind: 'exec', command: ['a'], shell: false, env: {}, expectExit: 0, undo: ['undo-a'] },
    { ...common('b'), ...once, kind: 'exec', command: ['fail', 'b'], shell: false, env: {}, expectExit: 0, onFailure: 'continue' },
    { ...common('c'), kind: 'exec', command: ['c'], shell: false, env: { RUNBOOK_PLAYBOOK: 'as written' }, expectExit: 0 },
    { ...common('d'), ...once, kind: 'exec', command: ['fail', 'd'], shell: false, env: {}, expectExit: 0, onFailure: 'rollback' },
  ];
  const { clock, em, pb } = setup([], steps);
  const plan = await planFor(pb, em.client);
  const { recorder } = recorderFor(plan, clock);
  const result = await executePlan({
    plan,
    client: em.client,
    clock,
    recorder,
    signal: new AbortController().signal,
    exec,
    env: { RUNBOOK_RUN_ID: 'stale', HOME: '/home/dr' },
  });
  assert.is(result.outcome, 'rolled-back');
  const vars = (command: string) => Object.fromEntries(Object.entries(seen.get(command) ?? {}).filter(([k]) => k.startsWith('RUNBOOK_')));
  const runId = result.report.runId;
  const base = {
    RUNBOOK_RUN_ID: runId,
    RUNBOOK_PLAYBOOK: plan.playbook.name,
    RUNBOOK_SIMULATED: String(plan.server.simulated),
    RUNBOOK_STATE_DIR: '',
  };
  assert.equal(vars('a'), {
    ...base,
    RUNBOOK_STEP_ID: 'a',
    RUNBOOK_OUTCOME: 'succeeded',
    RUNBOOK_FAILED_STEPS: '',
    RUNBOOK_ROLLBACK: 'false',
  });
  assert.equal(vars('c'), {
    ...base,
    RUNBOOK_PLAYBOOK: 'as written',
    RUNBOOK_STEP_ID: 'c',
    RUNBOOK_OUTCOME: 'failed',
    RUNBOOK_FAILED_STEPS: 'b',
    RUNBOOK_ROLLBACK: 'false',
  });
  assert.equal(vars('undo-a'), {
    ...base,
    RUNBOOK_STEP_ID: 'a',
    RUNBOOK_OUTCOME: 'failed',
    RUNBOOK_FAILED_STEPS: 'b,d',
    RUNBOOK_ROLLBACK: 'true',
  });
  assert.is(seen.get('a')?.HOME, '/home/dr', 'the rest of the environment is passed on');
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

test('when conditions on step outcomes, always steps after a failure, continue policy', async () => {
  const calls: string[] = [];
  const exec = (id: string, over: Partial<Step> = {}): Step =>
    ({
      ...common(id),
      kind: 'exec',
      command: [id],
      shell: false,
      env: {},
      expectExit: 0,
      retry: { attempts: 1, backoffMs: 1, maxBackoffMs: 1 },
      ...over,
    }) as Step;
  const steps: Step[] = [
    exec('a', { onFailure: 'continue' }),
    exec('b', { when: { step: 'a', is: ['failed'] } }),
    exec('c', { when: { step: 'a', is: ['succeeded'] } }),
    exec('d'),
    exec('e'),
    exec('f', { always: true }),
  ];
  const { clock, em, pb } = setup([], steps);
  const plan = await planFor(pb, em.client);
  const { recorder } = recorderFor(plan, clock);
  const result = await executePlan({
    plan,
    client: em.client,
    clock,
    recorder,
    signal: new AbortController().signal,
    exec: fakeExec({ a: 1, d: 2 }, calls),
  });
  assert.equal(calls, ['a', 'b', 'd', 'f']);
  assert.is(result.outcome, 'failed');
  assert.equal(
    result.report.steps.map((s) => s.outcome),
    ['failed', 'succeeded', 'skipped', 'failed', 'skipped', 'succeeded'],
  );
});

test('an exec step retries with the one backoff of every step retry: jittered, on the injected clock', async () => {
  let failures = 2;
  const exec: ExecRunner = {
    async run() {
      return { exitCode: failures-- > 0 ? 1 : 0, output: '' };
    },
  };
  const step = {
    ...common('notify'),
    kind: 'exec',
    command: ['notify'],
    shell: false,
    env: {},
    expectExit: 0,
    retry: { attempts: 3, backoffMs: 1_000, maxBackoffMs: 10_000 },
  } as Step;
  const { clock, em, pb } = setup([], [step]);
  const plan = await planFor(pb, em.client);
  const { recorder } = recorderFor(plan, clock);
  const t0 = clock.now();
  const result = await executePlan({
    plan,
    client: em.client,
    clock,
    recorder,
    signal: new AbortController().signal,
    exec,
    random: () => 0,
  });
  assert.is(result.outcome, 'succeeded');
  const retries = result.report.events.filter((e) => e.type === 'retry').map((e) => e.message);
  assert.equal(retries, ['notify exited 1 (expected 0); attempt 2 of 3 in 500ms', 'notify exited 1 (expected 0); attempt 3 of 3 in 1s']);
  assert.is(clock.now() - t0, 1_500);
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

test("a task lost while polling (its session ended): the journal says so, and replays to the report's states", async () => {
  const clock = new FakeClock({ auto: true });
  const em = createFakeEm({
    clock,
    replicas: [
      {
        id: 'r1',
        name: 'CDP Policy 1',
        vms: [
          { id: 'v1', name: 'vm1', durationMs: 60_000 },
          { id: 'v2', name: 'vm2', durationMs: 60_000 },
        ],
      },
    ],
  });
  void clock.sleep(7_000).then(() => em.relogon());
  const plan = await planFor(playbook([failoverStep('db', ['vm1', 'vm2'])]), em.client);
  const { recorder, journal } = recorderFor(plan, clock);
  const result = await executePlan({ plan, client: em.client, clock, recorder, signal: new AbortController().signal });
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
    .report.steps.flatMap((s) => s.vms ?? [])
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
  const clock = new FakeClock({ auto: true });
  const em = createFakeEm({
    clock,
    replicas: [{ id: 'r1', name: 'CDP Policy 1', vms: [{ id: 'v1', name: 'vm1', durationMs: 60_000 }] }],
    listTasksFailures: 1000,
  });
  const plan = await planFor(playbook([failoverStep('db', ['vm1'], { onFailure: 'abort' })]), em.client);
  em.log.length = 0;
  const { recorder, journal } = recorderFor(plan, clock);
  const result = await executePlan({ plan, client: em.client, clock, recorder, signal: new AbortController().signal });
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
  assert.not.ok(em.log.some((l) => l.startsWith('DELETE')));
  assert.is(em.log.filter((l) => l.includes('action=failover')).length, 1);
  const replayed = replay(result.report.runId, journal)
    .report.steps.flatMap((s) => s.vms ?? [])
    .map((v) => v.state);
  assert.equal(replayed, ['unknown']);
});

test.run();
