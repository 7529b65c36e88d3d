// The task poller against a fake EM client (FakeClock): one GET /tasks per tick for every
// task in flight, failed and hung polls, tasks gone or of an earlier logon session, aborted
// watchers. When it polls (learned durations, early ticks) is run-poller-schedule.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock } from '../engine/clock.js';
import { getEventListeners } from 'node:events';
import type { Task } from '../engine/api/types.js';
import { TaskPoller, TaskGoneError } from '../engine/run/poller.js';
import { createFakeEm, fakeVms as vms } from './helpers/fake-em-client.js';

const spec = { restoreCurrent: true, restoreCurrentVss: false };
const RETRY = { attempts: 3, backoffMs: 1000, maxBackoffMs: 5000 };

/** A FakeClock, a fake EM whose replica "r" holds `n` VMs v0.. failing over in `ms`, and a poller on it (5 s interval). */
function pollerOn(n: number, ms: number) {
  const clock = new FakeClock({ auto: true });
  const em = createFakeEm({ clock, replicas: [{ id: 'r', name: 'R', vms: vms(n, ms) }] });
  const poller = new TaskPoller({ client: em.client, clock, intervalMs: 5000, retry: RETRY });
  return { clock, em, poller };
}

test('one GET /tasks per tick, whatever the number of tasks in flight', async () => {
  const { clock, em, poller } = pollerOn(20, 23_000);
  const tasks = await Promise.all(Array.from({ length: 20 }, (_, i) => em.client.failoverCdpVm('r', `v${i}`, spec)));
  const start = clock.now();
  const done = await Promise.all(tasks.map((t) => poller.watch(t.taskId)));
  assert.ok(done.every((t) => t.state === 'Finished'));
  // 23 s tasks, 5 s interval: polls at 5, 10, 15, 20, 25 s. Five reads for twenty tasks.
  assert.is(em.log.filter((l) => l === 'GET /tasks').length, 5);
  assert.is(clock.now() - start, 25_000);
  assert.not.ok(em.log.some((l) => /^GET \/tasks\/task-/.test(l)));
});

test('a task submitted later is first polled one interval after it was submitted; ticks stay aligned', async () => {
  const { clock, em, poller } = pollerOn(2, 7000);
  const t0 = clock.now();
  const a = await em.client.failoverCdpVm('r', 'v0', spec);
  const first = poller.watch(a.taskId);
  await clock.sleep(2000);
  const b = await em.client.failoverCdpVm('r', 'v1', spec);
  const second = poller.watch(b.taskId).then(() => clock.now() - t0);
  await first;
  // a: submitted 0, finishes 7 s: ticks at 5 and 10. b: submitted 2 s, finishes 9 s: seen at the 10 s tick.
  assert.is(await second, 10_000);
  assert.is(em.log.filter((l) => l === 'GET /tasks').length, 2);
});

test('failed polls are retried up to the policy, then every watcher fails', async () => {
  const clock = new FakeClock({ auto: true });
  const em = createFakeEm({ clock, replicas: [{ id: 'r', name: 'R', vms: vms(1, 1000) }], listTasksFailures: 2 });
  const retries: string[] = [];
  const poller = new TaskPoller({
    client: em.client,
    clock,
    intervalMs: 5000,
    retry: RETRY,
    onRetry: (m) => retries.push(m),
  });
  const t = await em.client.failoverCdpVm('r', 'v0', spec);
  const done = await poller.watch(t.taskId);
  assert.is(done.state, 'Finished');
  assert.is(retries.length, 2);

  const em2 = createFakeEm({ clock, replicas: [{ id: 'r', name: 'R', vms: vms(1, 1000) }], listTasksFailures: 5 });
  const p2 = new TaskPoller({ client: em2.client, clock, intervalMs: 5000, retry: { ...RETRY, attempts: 2 } });
  const t2 = await em2.client.failoverCdpVm('r', 'v0', spec);
  await p2.watch(t2.taskId).then(
    () => assert.unreachable('should fail'),
    (e: Error) => assert.match(e.message, /503/),
  );
});

test('a task missing from the list is read alone; 404 means gone', async () => {
  const { em, poller } = pollerOn(1, 60_000);
  const t = await em.client.failoverCdpVm('r', 'v0', spec);
  const watching = poller.watch(t.taskId);
  await em.client.deleteTask(t.taskId);
  await watching.then(
    () => assert.unreachable('should fail'),
    (e: unknown) => assert.instance(e, TaskGoneError),
  );
  assert.ok(em.log.includes(`GET /tasks/${t.taskId}`));
});

test('an aborted watcher stops being polled', async () => {
  const { em, poller } = pollerOn(1, 60_000);
  const t = await em.client.failoverCdpVm('r', 'v0', spec);
  const c = new AbortController();
  const w = poller.watch(t.taskId, c.signal);
  c.abort(new Error('stop'));
  await w.then(
    () => assert.unreachable(),
    (e: Error) => assert.is(e.message, 'stop'),
  );
  assert.is(poller.watching, 0);
});

test('many tasks on one step signal share one abort listener (no MaxListenersExceededWarning)', async () => {
  const { em, poller } = pollerOn(30, 60_000);
  const c = new AbortController();
  const tasks = await Promise.all(Array.from({ length: 30 }, (_, i) => em.client.failoverCdpVm('r', `v${i}`, spec)));
  const watching = tasks.map((t) => poller.watch(t.taskId, c.signal).catch((e: Error) => e.message));
  assert.is(getEventListeners(c.signal, 'abort').length, 1);
  c.abort(new Error('step cancelled'));
  assert.equal(new Set(await Promise.all(watching)), new Set(['step cancelled']));
  assert.is(poller.watching, 0);
  assert.is(getEventListeners(c.signal, 'abort').length, 0);
});

test('a task of an earlier logon session answers 404: unreachable, named as such, not plain "gone"', async () => {
  const { em, poller } = pollerOn(1, 60_000);
  const t = await em.client.failoverCdpVm('r', 'v0', spec);
  const watching = poller.watch(t.taskId, undefined, em.client.sessionEpoch);
  em.relogon();
  await watching.then(
    () => assert.unreachable('should fail'),
    (e: unknown) => {
      assert.instance(e, TaskGoneError);
      assert.match((e as Error).message, /belongs to an earlier logon session/);
    },
  );
});

test('a poll that hangs is abandoned after stallMs and reported, then polling goes on in the same session', async () => {
  const clock = new FakeClock({ auto: true });
  const em = createFakeEm({ clock, replicas: [{ id: 'r', name: 'R', vms: vms(1, 60_000) }] });
  let calls = 0;
  // The first GET /tasks never answers until its signal aborts (as a stalled EM would).
  const client = {
    ...em.client,
    listTasks: (options?: { signal?: AbortSignal }): Promise<Task[]> => {
      if (++calls > 1) return em.client.listTasks();
      return new Promise((_resolve, reject) => options?.signal?.addEventListener('abort', () => reject(options.signal?.reason)));
    },
  };
  const stalls: string[] = [];
  const poller = new TaskPoller({
    client,
    clock,
    intervalMs: 5000,
    stallMs: 120_000,
    retry: RETRY,
    onStall: (m) => stalls.push(m),
  });
  const t0 = clock.now();
  const t = await em.client.failoverCdpVm('r', 'v0', spec);
  const done = await poller.watch(t.taskId);
  assert.is(done.state, 'Finished');
  assert.is(stalls.length, 1);
  assert.match(stalls[0]!, /GET \/tasks got no answer in 2m: abandoned it\. EM ends a logon session idle for 15 min/);
  // Abandoned at 5 s + 120 s, then polled again every 5 s until the 60 s task is seen finished.
  assert.ok(clock.now() - t0 <= 135_000, `took ${clock.now() - t0} ms`);
  assert.is(em.client.sessionEpoch, 1);
});

test.run();
