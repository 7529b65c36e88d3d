// Failover plans (start with FailoverPlanManagementSpec, undo) and replica-point failover (§8).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { docsFixture } from './helpers/paths.js';
import { API, json, logon, taskIdOf, taskOf, testSim, successOf } from './helpers/simulator.js';
import type { Simulator } from '../engine/simulator/index.js';

async function planHref(sim: Simulator, headers: Record<string, string>): Promise<string> {
  const list = (await (await sim.fetch(`${API}/failoverPlans`, { headers: json(headers) })).json()) as { Refs: Array<{ Href: string }> };
  return list.Refs[0]?.Href ?? '';
}

test('plan start (doc XML body) → StartFailoverPlan; undo → UndoFailoverPlan; state follows', async () => {
  const { sim, clock } = testSim();
  const s = await logon(sim, 'operator', 'operator-demo');
  const href = await planHref(sim, s.headers);
  const start = await sim.fetch(`${href}?action=start`, {
    method: 'POST',
    headers: { ...s.headers, 'Content-Type': 'application/xml' },
    body: readFileSync(docsFixture('failover-plan-start-spec.request.xml'), 'utf8'),
  });
  assert.is(start.status, 202);
  const startBody = await start.text();
  assert.match(startBody, '<Operation>StartFailoverPlan</Operation>');
  const startId = /<TaskId>([^<]+)</.exec(startBody)?.[1] ?? '';
  await clock.advance(5000);
  const started = (await taskOf(sim, s.headers, startId)).body;
  assert.equal(started.Result, { Message: 'Ok', Success: true });
  assert.not.ok((started.Links as Array<{ Rel: string }>).some((l) => l.Rel === 'Related'));
  assert.ok(sim.state.plans[0]?.active);
  // Starting it again fails: it is already in failover.
  const againResponse = await sim.fetch(`${href}?action=start`, {
    method: 'POST',
    headers: { ...json(s.headers), 'Content-Type': 'application/json' },
    body: readFileSync(docsFixture('failover-plan-start-spec.request.json'), 'utf8'),
  });
  assert.is(againResponse.status, 202);
  const again = String(((await againResponse.json()) as Record<string, unknown>).TaskId);
  await clock.advance(5000);
  assert.is(await successOf(sim, s.headers, again), false);
  const undo = await sim.fetch(`${href}?action=undo`, { method: 'POST', headers: s.headers });
  assert.is(undo.status, 202);
  const undoId = await taskIdOf(undo);
  await clock.advance(5000);
  const undone = (await taskOf(sim, s.headers, undoId)).body;
  assert.is(undone.Operation, 'UndoFailoverPlan');
  assert.equal(undone.Result, { Message: 'Ok', Success: true });
  assert.not.ok(sim.state.plans[0]?.active);
  // Undo of a plan not in failover fails.
  const undo2 = await taskIdOf(await sim.fetch(`${href}?action=undo`, { method: 'POST', headers: s.headers }));
  await clock.advance(5000);
  assert.equal((await taskOf(sim, s.headers, undo2)).body.Result, { Message: 'Failover plan is not in failover state', Success: false });
});

test('plan start needs a spec with Content-Type; StartDate alone works; bad bodies → 400', async () => {
  const { sim } = testSim();
  const s = await logon(sim);
  const href = await planHref(sim, s.headers);
  const post = (body: string, type?: string) =>
    sim.fetch(`${href}?action=start`, { method: 'POST', headers: { ...s.headers, ...(type ? { 'Content-Type': type } : {}) }, body });
  assert.is((await sim.fetch(`${href}?action=start`, { method: 'POST', headers: s.headers })).status, 400);
  const ns = 'xmlns="http://www.veeam.com/ent/v1.0"';
  assert.is(
    (await post(`<FailoverPlanManagementSpec ${ns}><StartNow>false</StartNow></FailoverPlanManagementSpec>`, 'application/xml')).status,
    400,
  );
  assert.is(
    (
      await post(
        `<FailoverPlanManagementSpec ${ns}><StartDate>2025-12-31T12:00:00Z</StartDate></FailoverPlanManagementSpec>`,
        'application/xml',
      )
    ).status,
    202,
  );
  assert.is(sim.state.tasks.length, 1);
  assert.is((await sim.fetch(`${href}?action=explode`, { method: 'POST', headers: s.headers })).status, 400);
  assert.is(
    (await sim.fetch(`${API}/failoverPlans/00000000-0000-0000-0000-000000000000?action=undo`, { method: 'POST', headers: s.headers }))
      .status,
    404,
  );
});

test('plan entity lists its VMs; failoverPlans is 403 for a Portal User', async () => {
  const { sim } = testSim();
  const s = await logon(sim);
  const href = await planHref(sim, s.headers);
  const entity = (await (await sim.fetch(`${href}?format=Entity`, { headers: json(s.headers) })).json()) as {
    Name: string;
    FailoverPlanInfo: { Includes: { FailoveredVms: Array<{ Name: string }> } };
    Links: Array<{ Rel: string }>;
  };
  assert.is(entity.Name, 'DNS cutover plan');
  assert.equal(
    entity.FailoverPlanInfo.Includes.FailoveredVms.map((v) => v.Name),
    ['dns01', 'dns02'],
  );
  assert.ok(['Start', 'Undo'].every((rel) => entity.Links.some((l) => l.Rel === rel)));
  const portal = await logon(sim, 'portal', 'portal-demo');
  assert.is((await sim.fetch(`${href}?action=undo`, { method: 'POST', headers: portal.headers })).status, 403);
});

test('POST /vmReplicaPoints/{id}?action=failover → StartReplicaFailover, then "already failed over"', async () => {
  const { sim, clock } = testSim();
  const s = await logon(sim);
  const list = (await (await sim.fetch(`${API}/vmReplicaPoints`, { headers: json(s.headers) })).json()) as {
    Refs: Array<{ Href: string }>;
  };
  const href = list.Refs[0]?.Href ?? '';
  const first = await sim.fetch(`${href}?action=failover`, { method: 'POST', headers: s.headers });
  assert.is(first.status, 202);
  const id = await taskIdOf(first);
  await clock.advance(5000);
  const done = (await taskOf(sim, s.headers, id)).body;
  assert.is(done.Operation, 'StartReplicaFailover');
  assert.ok((done.Links as Array<{ Rel: string }>).some((l) => l.Rel === 'Related'));
  const second = await taskIdOf(await sim.fetch(`${href}?action=failover`, { method: 'POST', headers: s.headers }));
  await clock.advance(5000);
  assert.equal((await taskOf(sim, s.headers, second)).body.Result, { Message: 'VM is already failed over', Success: false });
  assert.is((await sim.fetch(`${href}?action=failover`, { method: 'GET', headers: s.headers })).status, 200);
  assert.is((await sim.fetch(`${API}/vmReplicaPoints/nope?action=failover`, { method: 'POST', headers: s.headers })).status, 404);
});

test.run();
