// The run-wide cap on failovers in flight (`--concurrency`): shared by the steps of a
// parallel group, first come first served, each step's own concurrency still applying.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock } from '../engine/clock.js';
import { InterruptedError } from '../engine/errors.js';
import { executePlan } from '../engine/run/execute.js';
import { InFlightLimit, type Release } from '../engine/run/in-flight.js';
import type { RunRecorder } from '../engine/run/recorder.js';
import type { Step } from '../engine/playbook/types.js';
import { createFakeEm } from './helpers/fake-em-client.js';
import { common, failoverStep, planFor, playbook, recorderFor } from './helpers/plan-fixture.js';

test('InFlightLimit: at most max slots; a release hands the slot to the oldest waiter', async () => {
  const limit = new InFlightLimit(2);
  const order: string[] = [];
  const r1 = await limit.acquire();
  const r2 = await limit.acquire();
  const noted = (name: string) => (r: Release) => {
    order.push(name);
    return r;
  };
  const third = limit.acquire().then(noted('third'));
  const fourth = limit.acquire().then(noted('fourth'));
  await Promise.resolve();
  assert.is(limit.inFlight, 2);
  assert.equal(order, []);
  r1();
  r1(); // a second call gives nothing back twice
  const r3 = await third;
  await Promise.resolve();
  assert.equal(order, ['third']);
  assert.is(limit.inFlight, 2);
  r2();
  const r4 = await fourth;
  assert.equal(order, ['third', 'fourth']);
  r3();
  r4();
  assert.is(limit.inFlight, 0);
});

test('InFlightLimit.grants: several slots from one place in line, in the order as many acquire() calls would get them', async () => {
  const limit = new InFlightLimit(2);
  const order: string[] = [];
  const releases: Array<() => void> = [];
  const take = (name: string) => (release: () => void) => {
    order.push(name);
    releases.push(release);
  };
  // Two free slots: given at once.
  await limit.grants(2, undefined, take('a'));
  assert.equal(order, ['a', 'a']);
  // A step wanting 3, then a single waiter, then a step wanting 2: queue order is kept.
  const b = limit.grants(3, undefined, take('b'));
  const c = limit.acquire().then(take('c'));
  const d = limit.grants(2, undefined, take('d'));
  for (let i = 0; i < 6; i++) {
    releases.shift()!();
    await Promise.resolve();
  }
  await Promise.all([b, c]);
  assert.equal(order, ['a', 'a', 'b', 'b', 'b', 'c', 'd', 'd']);
  await d;
  assert.is(limit.inFlight, 2);
  for (const r of releases.splice(0)) r();
  assert.is(limit.inFlight, 0);
});

test('InFlightLimit.grants: a grant given back at once goes to the next in line; an abort ends the rest', async () => {
  const limit = new InFlightLimit(1);
  const held = await limit.acquire();
  const controller = new AbortController();
  let given = 0;
  // Each grant is handed back immediately (a step that has nothing left to launch).
  const bounce = limit.grants(2, undefined, (release) => {
    given++;
    release();
  });
  const abortable: Array<() => void> = [];
  const cut = limit.grants(3, controller.signal, (release) => abortable.push(release));
  held();
  await bounce;
  assert.is(given, 2, 'two grants, each released at once');
  assert.is(abortable.length, 1, 'the next entry got the slot they gave back');
  controller.abort(new Error('step cancelled'));
  await cut; // resolves: the other two are never given
  abortable[0]!();
  assert.is(limit.inFlight, 0);
  await limit.grants(2, controller.signal, () => assert.unreachable('an aborted signal got a slot'));
});

test('InFlightLimit: a waiter whose signal aborts leaves the queue and never takes a slot', async () => {
  const limit = new InFlightLimit(1);
  const held = await limit.acquire();
  const controller = new AbortController();
  const gone = limit.acquire(controller.signal);
  const next = limit.acquire();
  controller.abort(new Error('step cancelled'));
  await gone.then(
    () => assert.unreachable('an aborted waiter got a slot'),
    (error: Error) => assert.is(error.message, 'step cancelled'),
  );
  held();
  const r = await next;
  assert.is(limit.inFlight, 1);
  r();
  assert.is(limit.inFlight, 0);
  await limit.acquire(controller.signal).then(
    () => assert.unreachable('an already aborted signal got a slot'),
    () => undefined,
  );
});

/** VMs in flight (requested → final) per step and in all, as the recorder saw them. */
function watchInFlight(recorder: RunRecorder) {
  const now = new Map<string, number>();
  const seen = { max: 0, maxByStep: new Map<string, number>(), stepsAtOnce: 0 };
  let total = 0;
  recorder.on((e) => {
    if (e.type !== 'vm') return;
    if (e.state === 'requested') {
      total++;
      now.set(e.stepId, (now.get(e.stepId) ?? 0) + 1);
    } else if (e.state === 'done' || e.state === 'failed' || e.state === 'unknown' || e.state === 'stopped') {
      total--;
      now.set(e.stepId, (now.get(e.stepId) ?? 0) - 1);
    } else return;
    seen.max = Math.max(seen.max, total);
    for (const [step, n] of now) seen.maxByStep.set(step, Math.max(seen.maxByStep.get(step) ?? 0, n));
    seen.stepsAtOnce = Math.max(seen.stepsAtOnce, [...now.values()].filter((n) => n > 0).length);
  });
  return seen;
}

function groupSetup(stepVms: Record<string, number>, concurrency: number, maxInFlight: number | undefined) {
  const clock = new FakeClock({ auto: true });
  const vms = Object.entries(stepVms).flatMap(([step, n]) =>
    Array.from({ length: n }, (_, i) => ({ id: `${step}-${i + 1}`, name: `${step}${i + 1}`, durationMs: 10_000 })),
  );
  const em = createFakeEm({ clock, replicas: [{ id: 'r1', name: 'CDP Policy 1', vms }] });
  const children = Object.entries(stepVms).map(([step, n]) =>
    failoverStep(
      step,
      Array.from({ length: n }, (_, i) => `${step}${i + 1}`),
      { concurrency },
    ),
  );
  const group: Step = { ...common('group'), kind: 'parallel', steps: children };
  return { clock, em, pb: playbook([group]), maxInFlight };
}

test('--concurrency caps failovers in flight across the parallel steps of a run, and work flows between steps', async () => {
  const { clock, em, pb } = groupSetup({ a: 3, b: 3, c: 3 }, 3, 4);
  const plan = { ...(await planFor(pb, em.client)), maxInFlight: 4 };
  em.log.length = 0;
  const { recorder } = recorderFor(plan, clock);
  const seen = watchInFlight(recorder);
  const result = await executePlan({ plan, client: em.client, clock, recorder, signal: new AbortController().signal });
  assert.is(result.outcome, 'succeeded');
  assert.is(em.log.filter((l) => l.includes('action=failover')).length, 9, 'every VM failed over once');
  assert.is(seen.max, 4, 'never more than --concurrency in flight in the whole run');
  for (const [step, n] of seen.maxByStep) assert.ok(n <= 3, `step ${step}: ${n} in flight above its concurrency`);
  // A freed slot goes to whichever step waits longest, so two steps' VMs run side by side.
  assert.ok(seen.stepsAtOnce >= 2, `${seen.stepsAtOnce} steps in flight at once`);
  assert.ok(result.report.steps.flatMap((s) => s.vms ?? []).every((v) => v.state === 'failed-over'));
});

test('without --concurrency each step keeps its own concurrency and parallel steps add up', async () => {
  const { clock, em, pb } = groupSetup({ a: 4, b: 4 }, 2, undefined);
  const plan = await planFor(pb, em.client);
  assert.is(plan.maxInFlight, undefined);
  const { recorder } = recorderFor(plan, clock);
  const seen = watchInFlight(recorder);
  const result = await executePlan({ plan, client: em.client, clock, recorder, signal: new AbortController().signal });
  assert.is(result.outcome, 'succeeded');
  assert.is(seen.max, 4);
  assert.is(seen.maxByStep.get('a'), 2);
  assert.is(seen.maxByStep.get('b'), 2);
});

test('an interrupt while VMs wait for a run-wide slot: they are never sent, the others are stopped', async () => {
  const { clock, em, pb } = groupSetup({ a: 2, b: 2 }, 2, 2);
  const plan = { ...(await planFor(pb, em.client)), maxInFlight: 2 };
  em.log.length = 0;
  const { recorder } = recorderFor(plan, clock);
  const controller = new AbortController();
  let running = 0;
  recorder.on((e) => {
    if (e.type === 'vm' && e.state === 'running' && ++running === 2) controller.abort(new InterruptedError('SIGINT'));
  });
  const result = await executePlan({ plan, client: em.client, clock, recorder, signal: controller.signal });
  assert.is(result.outcome, 'interrupted');
  // a1 and a2 held both slots; b1 and b2 were still waiting for one when the interrupt came.
  assert.equal(em.log.filter((l) => l.includes('action=failover')).length, 2);
  assert.equal(em.log.filter((l) => l.startsWith('DELETE /tasks/')).length, 2);
  const b = result.report.steps.find((s) => s.id === 'b')!;
  assert.ok(
    b.vms!.every((v) => v.state === 'not-started'),
    JSON.stringify(b.vms),
  );
});

test.run();
