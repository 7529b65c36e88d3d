// When the task poller polls (fake EM client, FakeClock): at a task's learned expected end
// rather than a whole interval later, early ticks bounded by minGap and the interval, and a
// tick that sees many tasks finished handing them out a group per turn of the event loop.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock, type Clock } from '../engine/clock.js';
import { EARLY_POLLS, FINISHED_PER_TURN, TaskPoller } from '../engine/run/poller.js';
import { createFakeEm, fakeVms as vms } from './helpers/fake-em-client.js';

const spec = { restoreCurrent: true, restoreCurrentVss: false };
const RETRY = { attempts: 3, backoffMs: 1000, maxBackoffMs: 5000 };

/** The fake EM's client, with the virtual time of every GET /tasks recorded. */
function timedClient(em: ReturnType<typeof createFakeEm>, clock: FakeClock, ticks: number[]) {
  const listTasks = (options?: { signal?: AbortSignal }) => {
    ticks.push(clock.now());
    return em.client.listTasks(options);
  };
  return { ...em.client, listTasks };
}

test('learned duration: a task is polled when it is expected to finish, not a whole interval later', async () => {
  const clock = new FakeClock({ auto: true });
  const em = createFakeEm({ clock, replicas: [{ id: 'r', name: 'R', vms: vms(2, 7000) }] });
  const ticks: number[] = [];
  const poller = new TaskPoller({ client: timedClient(em, clock, ticks), clock, intervalMs: 5000, minGapMs: 1000, retry: RETRY });
  const a = await em.client.failoverCdpVm('r', 'v0', spec);
  await poller.watch(a.taskId);
  // Nothing learned yet: the regular ticks at 5 s (running) and 10 s (finished): it took 5–10 s.
  assert.is(ticks.length, 2);
  assert.is(poller.expectedDurationMs, 7500);
  const t1 = clock.now();
  const b = await em.client.failoverCdpVm('r', 'v1', spec);
  await poller.watch(b.taskId);
  // The next 7 s task: the regular tick at 5 s (never more than an interval between polls),
  // then one at its expected end (7.5 s) that sees it finished, instead of waiting for 10 s.
  assert.equal(
    ticks.slice(2).map((t) => t - t1),
    [5000, 7500],
  );
  assert.not.ok(em.log.some((l) => /^GET \/tasks\/task-/.test(l)));
});

test('a new task expected to finish before the sleeping tick wakes the poller', async () => {
  const clock = new FakeClock({ auto: true });
  const em = createFakeEm({
    clock,
    replicas: [{ id: 'r', name: 'R', vms: [...vms(2, 2000), { id: 'long', name: 'long', durationMs: 60_000 }] }],
  });
  const ticks: number[] = [];
  const poller = new TaskPoller({ client: timedClient(em, clock, ticks), clock, intervalMs: 5000, minGapMs: 1000, retry: RETRY });
  // Learn: a 2 s task seen finished at the 5 s tick (estimate 2.5 s).
  await poller.watch((await em.client.failoverCdpVm('r', 'v0', spec)).taskId);
  assert.is(poller.expectedDurationMs, 2500);
  const long = poller.watch((await em.client.failoverCdpVm('r', 'long', spec)).taskId);
  // The long task spends its early polls (2.5, 3.75, 5 s: from its expected end to the
  // latest end seen, 5 s), then the loop sleeps towards its regular tick at 10 s.
  await clock.sleep(5500);
  assert.is(ticks.length, 1 + EARLY_POLLS);
  const t1 = clock.now();
  const short = await em.client.failoverCdpVm('r', 'v1', spec);
  await poller.watch(short.taskId);
  assert.is(clock.now() - t1, 2500, "polled at its expected end, not at the long task's regular tick");
  await long;
});

/**
 * A poller (interval 500 ms, minGap 100 ms) that has seen one 2 s task (v0) through regular
 * ticks only: running at 1.5 s, finished at 2 s; the midpoint says 1.75 s. `count` VMs of 2 s.
 */
async function afterOneTwoSecondTask(count: number) {
  const clock = new FakeClock({ auto: true });
  const em = createFakeEm({ clock, replicas: [{ id: 'r', name: 'R', vms: vms(count, 2000) }] });
  const ticks: number[] = [];
  const poller = new TaskPoller({ client: timedClient(em, clock, ticks), clock, intervalMs: 500, minGapMs: 100, retry: RETRY });
  await poller.watch((await em.client.failoverCdpVm('r', 'v0', spec)).taskId);
  return { clock, em, ticks, poller };
}

test('follow-ups reach the latest end seen: tasks learned from a coarse first bracket are not left a whole interval late', async () => {
  const { clock, em, ticks, poller } = await afterOneTwoSecondTask(2);
  assert.is(poller.expectedDurationMs, 1750);
  const t1 = clock.now();
  await poller.watch((await em.client.failoverCdpVm('r', 'v1', spec)).taskId);
  // Early ticks at 1.75 s, 1.875 s and 2 s (the latest end seen): the last one sees it
  // finished. Follow-ups a minGap apart (1.75, 1.85, 1.95 s) would all have come too early,
  // and the regular tick after them (2.45 s) would have seen it 450 ms late.
  assert.equal(
    ticks.slice(-3).map((t) => t - t1),
    [1750, 1875, 2000],
  );
});

test("ticks pulled by the earlier tasks of a wave do not spend a later task's early ticks", async () => {
  const { clock, em, ticks, poller } = await afterOneTwoSecondTask(3);
  assert.is(poller.expectedDurationMs, 1750);
  const t1 = clock.now();
  const a = poller.watch((await em.client.failoverCdpVm('r', 'v1', spec)).taskId);
  await clock.sleep(300);
  const b = poller.watch((await em.client.failoverCdpVm('r', 'v2', spec)).taskId).then(() => clock.now() - t1);
  await a;
  // a's early ticks (1.75, 1.875, 2 s) see b running before b is due. Counted as b's, they
  // spent b's early ticks before b was due: b was seen at 2.4375 s, 137.5 ms after it
  // finished. Not counted, b keeps its own: at its expected end (0.3 + 1.9375 s, re-learned
  // from a) and a minGap later, which sees it finished.
  assert.is(await b, 2337.5);
  assert.equal(
    ticks.slice(-5).map((t) => t - t1),
    [1750, 1875, 2000, 2237.5, 2337.5],
  );
});

test('a tick that sees many tasks finished hands them out a group at a time, a turn of the event loop between groups', async () => {
  const fake = new FakeClock({ auto: true });
  const resolved: string[] = [];
  const turns: number[] = [];
  // The fake clock's time; its turns counted: how many tasks had been handed out by each.
  const clock: Clock = {
    now: () => fake.now(),
    sleep: (ms, signal) => fake.sleep(ms, signal),
    turn: async () => {
      await fake.turn();
      turns.push(resolved.length);
    },
  };
  const em = createFakeEm({ clock: fake, replicas: [{ id: 'r', name: 'R', vms: vms(20, 2000) }] });
  const poller = new TaskPoller({ client: em.client, clock, intervalMs: 5000, retry: RETRY });
  const tasks = await Promise.all(Array.from({ length: 20 }, (_, i) => em.client.failoverCdpVm('r', `v${i}`, spec)));
  await Promise.all(tasks.map((t) => poller.watch(t.taskId).then(() => resolved.push(t.taskId))));
  // One GET /tasks sees all twenty finished: 8, a turn, 8 more, a turn, the last 4.
  assert.is(em.log.filter((l) => l === 'GET /tasks').length, 1);
  assert.is(FINISHED_PER_TURN, 8);
  assert.equal(turns, [8, 16]);
  assert.is(resolved.length, 20);
});

test('early ticks are bounded: never closer than minGap, never more than an interval apart, a few per task', async () => {
  const clock = new FakeClock({ auto: true });
  // 40 tasks of 3 to 9 s, submitted in bursts, so the poller keeps learning and re-aiming.
  const durations = Array.from({ length: 40 }, (_, i) => 3000 + ((i * 1337) % 6000));
  const em = createFakeEm({
    clock,
    replicas: [{ id: 'r', name: 'R', vms: durations.map((ms, i) => ({ id: `v${i}`, name: `vm${i}`, durationMs: ms })) }],
  });
  const ticks: number[] = [];
  const poller = new TaskPoller({ client: timedClient(em, clock, ticks), clock, intervalMs: 2000, retry: RETRY });
  const watching: Promise<unknown>[] = [];
  for (let burst = 0; burst < 8; burst++) {
    for (let i = 0; i < 5; i++) watching.push(em.client.failoverCdpVm('r', `v${burst * 5 + i}`, spec).then((t) => poller.watch(t.taskId)));
    await clock.sleep(700 + burst * 90);
  }
  await Promise.all(watching);
  const gaps = ticks.slice(1).map((t, i) => t - ticks[i]!);
  assert.ok(Math.min(...gaps) >= 400, `a gap of ${Math.min(...gaps)} ms is below minGap (2000 / 5)`);
  assert.ok(Math.max(...gaps) <= 2000, `a gap of ${Math.max(...gaps)} ms is above the interval`);
  const regular = Math.ceil((ticks.at(-1)! - ticks[0]!) / 2000) + 1;
  assert.ok(ticks.length <= regular + EARLY_POLLS * durations.length, `${ticks.length} ticks`);
  // One GET /tasks per tick, never one per task.
  assert.is(em.log.filter((l) => l === 'GET /tasks').length, ticks.length);
  assert.not.ok(em.log.some((l) => /^GET \/tasks\/task-/.test(l)));
});

test.run();
