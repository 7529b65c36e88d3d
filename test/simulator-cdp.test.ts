// CDP failover in the simulator (API spec §5, §6): the task lifecycle on a FakeClock, real
// state changes (second failover fails, a stopped task leaves the VM alone), session scoping,
// and behaviour set in the inventory. The failover spec is simulator-cdp-spec.test.ts;
// intervals, vApps and the query service simulator-cdp-resources.test.ts.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSimulator } from '../engine/simulator/index.js';
import { FakeClock } from '../engine/clock.js';
import { API, demoVm, failover, json, logon, taskIdOf, taskOf, testSim, successOf } from './helpers/simulator.js';

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

test.run();
