import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock } from '../engine/clock.js';
import { renderPlan } from '../engine/plan/render.js';
import type { Step } from '../engine/playbook/types.js';
import { createFakeEm } from './helpers/fake-em-client.js';
import { common, planFor, playbook } from './helpers/plan-fixture.js';

const clock = new FakeClock();
const em = () =>
  createFakeEm({
    clock,
    replicas: [
      {
        id: 'r1',
        name: 'ERP',
        vms: [
          { id: 'v1', name: 'db01' },
          { id: 'v2', name: 'db02' },
        ],
      },
    ],
    plans: [{ id: 'p1', name: 'DNS plan' }],
  });
const encode = () => ({ contentType: 'application/xml', body: '<CdpFailoverStartSpec/>' });

test('names become ids; restore points become specs; rollback notes per step', async () => {
  const steps: Step[] = [
    {
      ...common('db'),
      kind: 'failover',
      cdpReplica: 'ERP',
      vms: 'all',
      restorePoint: { kind: 'point-in-time', at: '${params.at}' },
      concurrency: 5,
    },
    { ...common('dns', { when: { step: 'db', is: ['succeeded'] } }), kind: 'failoverPlan', plan: 'DNS plan', action: 'start' },
  ];
  const plan = await planFor(playbook(steps, { params: { at: { type: 'datetime' } } }), em().client, { at: '2025-12-31T23:30:00Z' });
  assert.equal(plan.problems, []);
  const db = plan.steps[0]!;
  if (db.kind !== 'failover') throw new Error('kind');
  assert.equal(
    db.vms.map((v) => [v.name, v.call.path]),
    [
      ['db01', '/cdpReplicas/r1/vms/v1?action=failover'],
      ['db02', '/cdpReplicas/r1/vms/v2?action=failover'],
    ],
  );
  assert.equal(db.spec, { restoreCurrent: false, restoreCurrentVss: false, restoreAtPointInTime: '2025-12-31T23:30:00Z' });
  assert.is(db.rollback.afterSuccess.kind, 'manual');
  const dns = plan.steps[1]!;
  assert.equal(dns.whenStatus, { known: false, text: 'runs if step "db" succeeded' });
  assert.equal(dns.rollback.afterSuccess.kind === 'call' && dns.rollback.afterSuccess.call.path, '/failoverPlans/p1?action=undo');
  const text = renderPlan(plan, { media: 'xml', encode });
  assert.match(text, /POST \/cdpReplicas\/r1\/vms\/v1\?action=failover {3}\(VM "db01"\)/);
  assert.match(text, /runs if step "db" succeeded/);
  assert.match(text, /once done, undo the plan: POST \/failoverPlans\/p1\?action=undo/);
  assert.match(text, /Ready: 3 mutating calls would be sent/);
});

test('every unresolved name is a problem, all at once; a VM twice is refused', async () => {
  const steps: Step[] = [
    { ...common('a'), kind: 'failover', cdpReplica: 'ERP', vms: ['db01', 'nope'], restorePoint: { kind: 'latest' }, concurrency: 5 },
    { ...common('b'), kind: 'failover', cdpReplica: 'Missing', vms: ['x'], restorePoint: { kind: 'latest' }, concurrency: 5 },
    {
      ...common('c'),
      kind: 'failover',
      cdpReplica: 'ERP',
      vms: ['db01'],
      restorePoint: { kind: 'interval', at: '2026-03-01T09:30:00' },
      concurrency: 5,
    },
    { ...common('d'), kind: 'failoverPlan', plan: 'No plan', action: 'undo' },
  ];
  const plan = await planFor(playbook(steps), em().client);
  assert.equal(plan.problems, [
    'step "a": VM "nope" not found in CDP replica "ERP"',
    'step "b": CDP replica "Missing" not found in Enterprise Manager',
    'step "c": restore point interval "2026-03-01T09:30:00": "2026-03-01T09:30:00" has no time zone: EM expects UTC, write it with a trailing Z',
    'step "d": failover plan "No plan" not found in Enterprise Manager',
    'step "c": VM "db01" is already failed over by step "a" (a VM must never be failed over twice)',
  ]);
  assert.match(renderPlan(plan, { media: 'xml', encode }), /Not ready: 5 problems/);
});

test('a step whose condition is false at plan time: its problems are warnings', async () => {
  const steps: Step[] = [
    {
      ...common('b', { when: { param: 'site', equals: 'b' } }),
      kind: 'failover',
      cdpReplica: 'Missing',
      vms: ['x'],
      restorePoint: { kind: 'latest' },
      concurrency: 5,
    },
  ];
  const plan = await planFor(playbook(steps), em().client, { site: 'a' });
  assert.equal(plan.problems, []);
  assert.is(plan.warnings.length, 1);
  assert.match(renderPlan(plan, { media: 'xml', encode }), /skipped: its condition is false/);
});

test('--concurrency caps the step concurrency', async () => {
  const steps: Step[] = [
    { ...common('a'), kind: 'failover', cdpReplica: 'ERP', vms: 'all', restorePoint: { kind: 'latest' }, concurrency: 8 },
  ];
  const { resolvePlan } = await import('../engine/plan/resolve.js');
  const plan = await resolvePlan({
    playbook: playbook(steps),
    client: em().client,
    params: {},
    env: {},
    bind: (t) => t,
    server: { url: 'u', media: 'xml', simulated: true },
    maxConcurrency: 2,
  });
  assert.is(plan.steps[0]!.kind === 'failover' && plan.steps[0]!.concurrency, 2);
  // …and is the run-wide cap on failovers in flight, shared by parallel steps.
  assert.is(plan.maxInFlight, 2);
});

test('the plan builds each mutating call once, as api/calls does: ids are URL-encoded in the path', async () => {
  const fake = createFakeEm({
    clock,
    replicas: [{ id: 'r/1', name: 'ERP', vms: [{ id: 'v 1?x', name: 'db01' }] }],
    plans: [{ id: 'p#1', name: 'DNS plan' }],
  });
  const steps: Step[] = [
    { ...common('db'), kind: 'failover', cdpReplica: 'ERP', vms: ['db01'], restorePoint: { kind: 'latest' }, concurrency: 1 },
    { ...common('dns'), kind: 'failoverPlan', plan: 'DNS plan', action: 'start' },
  ];
  const plan = await planFor(playbook(steps), fake.client);
  const [db, dns] = plan.steps;
  assert.is(db?.kind === 'failover' && db.vms[0]!.call.path, '/cdpReplicas/r%2F1/vms/v%201%3Fx?action=failover');
  assert.is(dns?.kind === 'failoverPlan' && dns.call.path, '/failoverPlans/p%231?action=start');
  assert.is(
    dns?.kind === 'failoverPlan' && dns.rollback.afterSuccess.kind === 'call' && dns.rollback.afterSuccess.call.path,
    '/failoverPlans/p%231?action=undo',
  );
});

test.run();
