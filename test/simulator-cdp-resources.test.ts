// The simulator's CDP resources besides failover (API spec §6): intervals from the history,
// vApp failover, the query service for CDP replicas, and demo inventory ids.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSimulator, demoInventory } from '../engine/simulator/index.js';
import { API, demoVm, failover, json, logon, taskIdOf, testSim, successOf } from './helpers/simulator.js';

test('intervals: generated from the history, clipped to the request and to the lag', async () => {
  const { sim, clock } = testSim();
  const s = await logon(sim);
  const vm = await demoVm(sim, s.headers);
  const end = new Date(clock.now()).toISOString().slice(0, 19);
  const start = new Date(clock.now() - 3 * 3_600_000).toISOString().slice(0, 19);
  const r = await sim.fetch(`${vm.vmHref}?action=intervals`, {
    method: 'POST',
    headers: { ...json(s.headers), 'Content-Type': 'application/json' },
    body: JSON.stringify({ StartDate: start, EndDate: end }),
  });
  assert.is(r.status, 200);
  const body = (await r.json()) as {
    HasApplicationConsistentState: boolean;
    Intervals: Array<{ StartDate: string; EndDate: string; Rpo: number }>;
    RestorePoints: Array<{ Date: string }>;
  };
  assert.ok(body.HasApplicationConsistentState);
  assert.equal(
    body.RestorePoints.map((p) => p.Date),
    ['2025-12-31T21:00:00', '2025-12-31T22:00:00', '2025-12-31T23:00:00'],
  );
  assert.is(body.Intervals[0]?.StartDate, start);
  assert.is(body.Intervals.at(-1)?.EndDate, '2025-12-31T23:59:50'); // demo ERP lag is 10s
  assert.is(body.Intervals[0]?.Rpo, 10);
  const bad = await sim.fetch(`${vm.vmHref}?action=intervals`, {
    method: 'POST',
    headers: { ...json(s.headers), 'Content-Type': 'application/json' },
    body: JSON.stringify({ StartDate: start }),
  });
  assert.is(bad.status, 400);
});

test('vApp failover at /cdpReplica/vApps and /cdpReplicas/vApps; unknown ids → 404', async () => {
  const { sim, clock } = testSim();
  const s = await logon(sim);
  const list = (await (await sim.fetch(`${API}/cdpReplicas/vApps`, { headers: json(s.headers) })).json()) as {
    Refs: Array<{ Href: string; Name: string }>;
  };
  const href = list.Refs[0]?.Href ?? '';
  assert.match(href, '/api/cdpReplica/vApps/');
  const id = await taskIdOf(await failover(sim, s.headers, href.replace('/cdpReplica/', '/cdpReplicas/')));
  await clock.advance(5000);
  assert.is(await successOf(sim, s.headers, id), true);
  assert.ok(sim.state.vApps[0]?.failedOver);
  assert.is((await sim.fetch(`${API}/cdpReplica/vApps/00000000-0000-0000-0000-000000000000`, { headers: s.headers })).status, 404);
  assert.is((await sim.fetch(`${href}/vms/nope`, { headers: s.headers })).status, 404);
});

test('query?type=CdpReplica: filter Name=="x", entities, paging, bad filter', async () => {
  const { sim } = testSim();
  const s = await logon(sim);
  const q = async (query: string) => sim.fetch(`${API}/query?${query}`, { headers: json(s.headers) });
  const one = (await (await q('type=CdpReplica&filter=Name=="CRM-CDP"&format=Entities')).json()) as {
    Entities: { CdpReplicas: { CdpReplicas: Array<{ Name: string; PolicyName: string }> } };
  };
  assert.equal(
    one.Entities.CdpReplicas.CdpReplicas.map((r) => r.Name),
    ['CRM-CDP'],
  );
  const refs = (await (await q(`type=CdpReplica&filter=${encodeURIComponent('Name==ERP-CDP')}`)).json()) as {
    Refs: { Refs: Array<{ Name: string }> };
  };
  assert.equal(
    refs.Refs.Refs.map((r) => r.Name),
    ['ERP-CDP'],
  );
  const page = (await (await q('type=CdpReplica&pageSize=2&page=2')).json()) as {
    Refs: { Refs: unknown[] };
    PagingInfo: { PagesCount: number; PageNum: number };
  };
  assert.is(page.Refs.Refs.length, 1);
  assert.is(page.PagingInfo.PagesCount, 2);
  assert.is((await q('type=CdpReplica&filter=Colour==blue')).status, 400);
  assert.is((await q('type=Frobnicator')).status, 400);
});

test('demoInventory ids are stable across simulators (derived from names)', () => {
  const a = createSimulator({ inventory: demoInventory() }).state.vms.map((v) => v.id);
  const b = createSimulator({ inventory: demoInventory() }).state.vms.map((v) => v.id);
  assert.equal(a, b);
  assert.is(new Set(a).size, a.length);
});

test.run();
