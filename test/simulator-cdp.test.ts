// CDP failover (API spec §5, §6, §12): spec validation, task lifecycle on a FakeClock,
// real state changes (second failover fails, a stopped task leaves the VM alone),
// session scoping, intervals, vApps and the query service.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSimulator, demoInventory } from '../engine/simulator/index.js';
import { FakeClock } from '../engine/clock.js';
import { API, FAILOVER_XML, NS, demoVm, failover, json, logon, taskOf, testSim, successOf } from './helpers/simulator.js';

const taskIdOf = async (r: Response) => /<TaskId>([^<]+)</.exec(await r.text())?.[1] ?? '';

test('failover: 202 Running → Finished Success/Ok after failoverDuration, Related RestoreSession', async () => {
  const { sim, clock } = testSim();
  const s = await logon(sim);
  const vm = await demoVm(sim, s.headers);
  const r = await failover(sim, s.headers, vm.vmHref);
  assert.is(r.status, 202);
  const id = await taskIdOf(r);
  assert.match(id, /^task-\d+$/);
  await clock.advance(2999);
  assert.is((await taskOf(sim, s.headers, id)).body.State, 'Running');
  assert.not.ok(sim.state.vms.find((v) => v.id === vm.vmId)?.failedOver);
  await clock.advance(1);
  const done = (await taskOf(sim, s.headers, id)).body;
  assert.is(done.State, 'Finished');
  assert.equal(done.Result, { Message: 'Ok', Success: true });
  assert.ok(sim.state.vms.find((v) => v.id === vm.vmId)?.failedOver);
  const related = (done.Links as Array<{ Rel: string; Href: string }>).find((l) => l.Rel === 'Related');
  const rs = (await (await sim.fetch(related?.Href ?? '', { headers: json(s.headers) })).json()) as Record<string, unknown>;
  assert.is(rs.State, 'Stopped');
  assert.is(rs.Result, 'Success');
  assert.is(rs.VmDisplayName, vm.name);
});

test('a second failover of a failed-over VM finishes Success=false "VM is already failed over"', async () => {
  const { sim, clock } = testSim();
  const s = await logon(sim);
  const vm = await demoVm(sim, s.headers);
  await failover(sim, s.headers, vm.vmHref);
  await clock.advance(5000);
  const second = await taskIdOf(await failover(sim, s.headers, vm.vmHref));
  await clock.advance(5000);
  const body = (await taskOf(sim, s.headers, second)).body;
  assert.is(body.State, 'Finished');
  assert.equal(body.Result, { Message: 'VM is already failed over', Success: false });
  assert.is(sim.state.failovers[`vm:${vm.name}`], 1);
});

test('two concurrent failovers of one VM: the first to finish wins, the other fails', async () => {
  const { sim, clock } = testSim();
  const s = await logon(sim);
  const vm = await demoVm(sim, s.headers);
  const a = await taskIdOf(await failover(sim, s.headers, vm.vmHref));
  await clock.advance(1000);
  const b = await taskIdOf(await failover(sim, s.headers, vm.vmHref));
  await clock.advance(10_000);
  assert.is(await successOf(sim, s.headers, a), true);
  assert.is(await successOf(sim, s.headers, b), false);
});

test('DELETE on a Running task → 204, stops it: the VM is NOT failed over, later GET → 404', async () => {
  const { sim, clock } = testSim();
  const s = await logon(sim);
  const vm = await demoVm(sim, s.headers);
  const id = await taskIdOf(await failover(sim, s.headers, vm.vmHref));
  await clock.advance(1000);
  const del = await sim.fetch(`${API}/tasks/${id}`, { method: 'DELETE', headers: s.headers });
  assert.is(del.status, 204);
  await clock.advance(60_000);
  assert.is((await taskOf(sim, s.headers, id)).status, 404);
  assert.not.ok(sim.state.vms.find((v) => v.id === vm.vmId)?.failedOver);
  // A fresh failover then works: nothing was left half-done.
  const again = await taskIdOf(await failover(sim, s.headers, vm.vmHref));
  await clock.advance(5000);
  assert.is(await successOf(sim, s.headers, again), true);
});

test('DELETE on a finished task forgets it; the VM stays failed over', async () => {
  const { sim, clock } = testSim();
  const s = await logon(sim);
  const vm = await demoVm(sim, s.headers);
  const id = await taskIdOf(await failover(sim, s.headers, vm.vmHref));
  await clock.advance(5000);
  assert.is((await sim.fetch(`${API}/tasks/${id}`, { method: 'DELETE', headers: s.headers })).status, 204);
  assert.is((await taskOf(sim, s.headers, id)).status, 404);
  assert.ok(sim.state.vms.find((v) => v.id === vm.vmId)?.failedOver);
});

test('tasks are scoped to their session: /tasks, /tasks/{id}, query?type=Task', async () => {
  const { sim, clock } = testSim();
  const a = await logon(sim);
  const b = await logon(sim);
  const vm = await demoVm(sim, a.headers);
  const id = await taskIdOf(await failover(sim, a.headers, vm.vmHref));
  assert.is((await taskOf(sim, b.headers, id)).status, 404);
  assert.is((await sim.fetch(`${API}/tasks/${id}`, { method: 'DELETE', headers: b.headers })).status, 404);
  const listB = (await (await sim.fetch(`${API}/tasks`, { headers: json(b.headers) })).json()) as { Tasks: unknown[] };
  assert.is(listB.Tasks.length, 0);
  const listA = (await (await sim.fetch(`${API}/tasks`, { headers: json(a.headers) })).json()) as { Tasks: Array<{ TaskId: string }> };
  assert.equal(
    listA.Tasks.map((t) => t.TaskId),
    [id],
  );
  const running = (await (await sim.fetch(`${API}/query?type=Task&filter=State==Finished`, { headers: json(a.headers) })).json()) as {
    Resources: { Tasks: { Tasks: unknown[] } };
  };
  assert.is(running.Resources.Tasks.Tasks.length, 0);
  await clock.advance(5000);
  const finished = (await (await sim.fetch(`${API}/query?type=Task&filter=State==Finished`, { headers: json(a.headers) })).json()) as {
    Resources: { Tasks: { Tasks: Array<{ TaskId: string }> } };
  };
  assert.equal(
    finished.Resources.Tasks.Tasks.map((t) => t.TaskId),
    [id],
  );
  const none = (await (await sim.fetch(`${API}/query?type=Task`, { headers: json(b.headers) })).json()) as {
    Resources: { Tasks: { Tasks: unknown[] } };
  };
  assert.is(none.Resources.Tasks.Tasks.length, 0);
});

test('an expired session loses its tasks, but the running failover still happens', async () => {
  const { sim, clock } = testSim();
  const a = await logon(sim);
  const vm = await demoVm(sim, a.headers);
  const id = await taskIdOf(await failover(sim, a.headers, vm.vmHref));
  await clock.advance(16 * 60_000);
  assert.is((await taskOf(sim, a.headers, id)).status, 401);
  const b = await logon(sim);
  assert.is((await taskOf(sim, b.headers, id)).status, 404);
  assert.ok(sim.state.vms.find((v) => v.id === vm.vmId)?.failedOver);
});

test('CdpFailoverStartSpec validation: 400 with a useful message, no task', async () => {
  const { sim } = testSim();
  const s = await logon(sim);
  const vm = await demoVm(sim, s.headers);
  const bad: Array<[string, string | RegExp]> = [
    [`<CdpFailoverStartSpec xmlns="${NS}"><RestoreCurrent>true</RestoreCurrent></CdpFailoverStartSpec>`, 'RestoreCurrentVss is required'],
    [
      `<CdpFailoverStartSpec xmlns="${NS}"><RestoreCurrentVss>false</RestoreCurrentVss><RestoreCurrent>true</RestoreCurrent></CdpFailoverStartSpec>`,
      'must come before',
    ],
    [FAILOVER_XML(false, false), 'nothing to fail over to'],
    [FAILOVER_XML(false, false, '<RestoreAtPointinTime>2026-01-01T00:00:00+02:00</RestoreAtPointinTime>'), 'not a UTC DateTime'],
    [FAILOVER_XML(false, false, '<RestoreAtInterval>yesterday</RestoreAtInterval>'), 'not a UTC DateTime'],
    [FAILOVER_XML(true, 'maybe' as unknown as boolean), 'must be true or false'],
    [
      `<CdpFailoverStartSpec xmlns="${NS}"><RestoreCurrent>true</RestoreCurrent><RestoreCurrentVss>false</RestoreCurrentVss><Bogus/></CdpFailoverStartSpec>`,
      'unknown element Bogus',
    ],
    [
      `<FailoverSpec xmlns="${NS}"><RestoreCurrent>true</RestoreCurrent><RestoreCurrentVss>false</RestoreCurrentVss></FailoverSpec>`,
      'Expected root element CdpFailoverStartSpec',
    ],
    [`<CdpFailoverStartSpec><RestoreCurrent>true</CdpFailoverStartSpec>`, 'There is an error in XML document'],
    ['', 'body is required'],
  ];
  for (const [body, message] of bad) {
    const x = await sim.fetch(`${vm.vmHref}?action=failover`, {
      method: 'POST',
      headers: { ...s.headers, 'Content-Type': 'application/xml' },
      body,
    });
    assert.is(x.status, 400, `${body} → ${x.status}`);
    assert.match(await x.text(), message);
  }
  const noType = await sim.fetch(`${vm.vmHref}?action=failover`, { method: 'POST', headers: s.headers, body: FAILOVER_XML() });
  assert.is(noType.status, 400);
  assert.match(await noType.text(), 'send application/xml or application/json');
  assert.is(sim.state.tasks.length, 0);
  assert.is((await sim.fetch(`${vm.vmHref}?action=frobnicate`, { method: 'POST', headers: s.headers })).status, 400);
});

test('spelling and precedence: RestoreAtPointInTime any case; RestoreCurrent beats the dates', async () => {
  const { sim, clock } = testSim();
  const s = await logon(sim);
  const pit = new Date(clock.now() - 3_600_000).toISOString().slice(0, 19);
  for (const [i, spelling] of ['RestoreAtPointinTime', 'RestoreAtPointInTime', 'restoreatpointintime'].entries()) {
    const vm = await demoVm(sim, s.headers, i);
    const r = await failover(sim, s.headers, vm.vmHref, FAILOVER_XML(false, false, `<${spelling}>${pit}Z</${spelling}>`));
    assert.is(r.status, 202, spelling);
  }
  // Out of the history: the task fails with the reason, the VM is untouched.
  const vm3 = await demoVm(sim, s.headers, 3);
  const old = await taskIdOf(
    await failover(sim, s.headers, vm3.vmHref, FAILOVER_XML(false, false, '<RestoreAtInterval>2020-01-01T00:00:00</RestoreAtInterval>')),
  );
  await clock.advance(5000);
  const res = (await taskOf(sim, s.headers, old)).body.Result as Record<string, unknown>;
  assert.is(res.Success, false);
  assert.match(String(res.Message), 'No restore point is available at 2020-01-01T00:00:00');
  assert.not.ok(sim.state.vms.find((v) => v.id === vm3.vmId)?.failedOver);
  // RestoreCurrent=true wins over an out-of-range date (doc example sends both, §12 #5).
  const t = testSim();
  const s2 = await logon(t.sim);
  const v = await demoVm(t.sim, s2.headers);
  const id = await taskIdOf(
    await failover(t.sim, s2.headers, v.vmHref, FAILOVER_XML(true, false, '<RestoreAtInterval>2020-01-01T00:00:00</RestoreAtInterval>')),
  );
  await t.clock.advance(5000);
  assert.is(await successOf(t.sim, s2.headers, id), true);
});

test('behaviour from the inventory: fail, neverFinish, operationFinishedFor, failedOver', async () => {
  const clock = new FakeClock();
  const sim = createSimulator({
    clock,
    inventory: {
      users: [{ name: 'admin', password: 'pw', role: 'Portal Administrator' }],
      cdpReplicas: [
        {
          name: 'R',
          vms: [
            { name: 'bad', fail: 'Disk not found' },
            { name: 'stuck', neverFinish: true },
            { name: 'slow', failoverDuration: '2s', operationFinishedFor: '10m' },
            { name: 'done', failedOver: true },
          ],
        },
      ],
    },
  });
  const s = await logon(sim, 'admin', 'pw');
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) ids.push(await taskIdOf(await failover(sim, s.headers, (await demoVm(sim, s.headers, i)).vmHref)));
  await clock.advance(3000);
  const [bad, stuck, slow, done] = await Promise.all(ids.map(async (id) => (await taskOf(sim, s.headers, id)).body));
  assert.equal(bad?.Result, { Message: 'Disk not found', Success: false });
  assert.is(stuck?.State, 'Running');
  assert.is(slow?.State, 'OperationFinished');
  assert.equal(slow?.Result, { Message: 'OperationFinished', Success: true });
  assert.equal(done?.Result, { Message: 'VM is already failed over', Success: false });
  await clock.advance(10 * 60_000);
  assert.is((await taskOf(sim, s.headers, ids[2] ?? '')).body.State, 'Finished');
  assert.is((await taskOf(sim, s.headers, ids[1] ?? '')).body.State, 'Running');
  assert.equal(
    sim.state.vms.map((v) => v.failedOver),
    [false, false, true, true],
  );
});

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
