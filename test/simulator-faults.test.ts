// Fault injection: targeted by method/path/nth/rate/times, deterministic under a seed.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { FaultSpec } from '../engine/simulator/index.js';
import { API, demoVm, failover, json, logon, taskIdOf, taskOf, testSim } from './helpers/simulator.js';

async function statuses(seed: number, faults: FaultSpec[], n: number): Promise<number[]> {
  const { sim } = testSim({ seed, faults });
  const s = await logon(sim);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await sim.fetch(`${API}/tasks`, { headers: s.headers })).status);
  return out;
}

test('rate faults are deterministic under a seed and differ across seeds', async () => {
  const faults: FaultSpec[] = [{ kind: 'status', status: 503, method: 'GET', path: '^/tasks$', rate: 0.3 }];
  const a = await statuses(7, faults, 60);
  assert.equal(await statuses(7, faults, 60), a);
  assert.ok(a.includes(503) && a.includes(200));
  assert.not.equal(await statuses(8, faults, 60), a);
});

test('503 carries an EM Error body; nth and times pick the requests', async () => {
  const { sim } = testSim({
    faults: [
      { kind: 'status', path: '^/tasks$', nth: [2, 4] },
      { kind: 'status', status: 500, path: '^/logonSessions$', times: 1, message: 'boom' },
    ],
  });
  const s = await logon(sim);
  const got: number[] = [];
  for (let i = 0; i < 5; i++) got.push((await sim.fetch(`${API}/tasks`, { headers: s.headers })).status);
  assert.equal(got, [200, 503, 200, 503, 200]);
  const r = await sim.fetch(`${API}/tasks`, { headers: json(s.headers) });
  assert.is(r.status, 200);
  const e = await sim.fetch(`${API}/logonSessions`, { headers: json(s.headers) });
  assert.equal(await e.json(), { FirstChanceExceptionMessage: null, Message: 'boom', StackTrace: null, Status: null, StatusCode: 500 });
  assert.is((await sim.fetch(`${API}/logonSessions`, { headers: s.headers })).status, 200);
  assert.is(sim.log.filter((l) => l.fault === 'status').length, 3);
});

test('logon failing transiently: the first 2 logons get 503', async () => {
  const { sim } = testSim({ faults: [{ kind: 'status', method: 'POST', path: '^/sessionMngr', times: 2 }] });
  const auth = { Authorization: `Basic ${Buffer.from('runbook:runbook-demo').toString('base64')}` };
  const codes = [];
  for (let i = 0; i < 3; i++) codes.push((await sim.fetch(`${API}/sessionMngr/?v=latest`, { method: 'POST', headers: auth })).status);
  assert.equal(codes, [503, 503, 201]);
  assert.is(sim.state.logons, 1);
});

test('reset before processing: fetch fails like Node, nothing happens', async () => {
  const { sim, clock } = testSim({ faults: [{ kind: 'reset-before', method: 'POST', path: 'action=failover', nth: 1 }] });
  const s = await logon(sim);
  const vm = await demoVm(sim, s.headers);
  const error = await failover(sim, s.headers, vm.vmHref).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.instance(error, TypeError);
  assert.is((error as TypeError).message, 'fetch failed');
  assert.is(((error as TypeError).cause as NodeJS.ErrnoException).code, 'ECONNRESET');
  await clock.advance(60_000);
  assert.is(sim.state.tasks.length, 0);
  assert.not.ok(sim.state.vms[0]?.failedOver);
  assert.equal(sim.log.at(-1)?.fault, 'reset-before');
  assert.is(sim.log.at(-1)?.status, 0);
});

test('reset after processing: the failover happened, the response is lost', async () => {
  const { sim, clock } = testSim({ faults: [{ kind: 'reset-after', method: 'POST', path: 'action=failover', times: 1 }] });
  const s = await logon(sim);
  const vm = await demoVm(sim, s.headers);
  await failover(sim, s.headers, vm.vmHref).then(
    () => assert.unreachable('should reset'),
    (e: unknown) => assert.instance(e, TypeError),
  );
  await clock.advance(60_000);
  assert.ok(sim.state.vms.find((v) => v.id === vm.vmId)?.failedOver);
  const entry = sim.log.at(-1);
  assert.is(entry?.fault, 'reset-after');
  assert.is(entry?.status, 202);
  assert.match(entry?.taskId ?? '', /^task-\d+$/);
  // The task is there for a client that looks (GET /tasks), as on a real server.
  const list = (await (await sim.fetch(`${API}/tasks`, { headers: json(s.headers) })).json()) as { Tasks: Array<{ TaskId: string }> };
  assert.equal(
    list.Tasks.map((t) => t.TaskId),
    [entry?.taskId],
  );
});

test('hang honours the request signal; latency uses the clock', async () => {
  const { sim, clock } = testSim({
    faults: [
      { kind: 'hang', path: '^/tasks$', nth: 1 },
      { kind: 'latency', path: '^/logonSessions$', delay: '30s' },
    ],
  });
  const s = await logon(sim);
  const controller = new AbortController();
  const pending = sim.fetch(`${API}/tasks`, { headers: s.headers, signal: controller.signal });
  const reason = new Error('client timeout');
  controller.abort(reason);
  assert.is(
    await pending.then(
      () => undefined,
      (e: unknown) => e,
    ),
    reason,
  );
  let done = false;
  const slow = sim.fetch(`${API}/logonSessions`, { headers: s.headers }).then((r) => {
    done = true;
    return r;
  });
  await clock.advance(29_000);
  assert.not.ok(done);
  await clock.advance(1000);
  assert.is((await slow).status, 200);
});

test('body faults: BOM, truncate, malformed', async () => {
  const { sim } = testSim({
    faults: [
      { kind: 'bom', path: '^/tasks$', nth: 1 },
      { kind: 'truncate', path: '^/tasks$', nth: 2 },
      { kind: 'malformed', path: '^/tasks$', nth: 3 },
    ],
  });
  const s = await logon(sim);
  const get = async () => new Uint8Array(await (await sim.fetch(`${API}/tasks`, { headers: json(s.headers) })).arrayBuffer());
  const bom = await get();
  assert.equal([...bom.slice(0, 3)], [0xef, 0xbb, 0xbf]);
  assert.equal(JSON.parse(new TextDecoder().decode(bom.slice(3))), { Tasks: [] });
  const truncated = new TextDecoder().decode(await get());
  assert.throws(() => JSON.parse(truncated));
  const malformed = new TextDecoder().decode(await get());
  assert.throws(() => JSON.parse(malformed));
  assert.equal(JSON.parse(new TextDecoder().decode(await get())), { Tasks: [] });
});

test('expire-session after N requests; task faults shape the created task', async () => {
  const { sim, clock } = testSim({
    faults: [
      { kind: 'expire-session', path: '^/logonSessions$', nth: 3 },
      { kind: 'task-fail', path: 'action=failover', nth: 1, message: 'Injected: host unreachable' },
      { kind: 'task-never-finish', path: 'action=failover', nth: 2 },
      { kind: 'task-operation-finished', path: 'action=failover', nth: 3, delay: '20m' },
    ],
  });
  const s = await logon(sim);
  const codes = [];
  for (let i = 0; i < 3; i++) codes.push((await sim.fetch(`${API}/logonSessions`, { headers: s.headers })).status);
  assert.equal(codes, [200, 200, 401]);
  const t = await logon(sim);
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push(await taskIdOf(await failover(sim, t.headers, (await demoVm(sim, t.headers, i)).vmHref)));
  await clock.advance(10_000);
  const [failed, stuck, opFinished] = await Promise.all(ids.map(async (id) => (await taskOf(sim, t.headers, id)).body));
  assert.equal(failed?.Result, { Message: 'Injected: host unreachable', Success: false });
  assert.is(stuck?.State, 'Running');
  assert.is(opFinished?.State, 'OperationFinished');
  assert.equal(
    sim.state.vms.slice(0, 3).map((v) => v.failedOver),
    [false, false, true],
  );
  assert.equal(
    sim.log.filter((e) => e.taskId).map((e) => e.fault),
    ['task-fail', 'task-never-finish', 'task-operation-finished'],
  );
});

test('restart: every session ends, new sessions get 404 for old tasks, the failover still completes', async () => {
  const { sim, clock } = testSim({ faults: [{ kind: 'restart', method: 'GET', path: '^/tasks/', nth: 1 }] });
  const s = await logon(sim);
  const id = await taskIdOf(await failover(sim, s.headers, (await demoVm(sim, s.headers)).vmHref));
  assert.is((await taskOf(sim, s.headers, id)).status, 401);
  const t = await logon(sim);
  assert.is((await taskOf(sim, t.headers, id)).status, 404);
  await clock.advance(3_600_000);
  assert.is(sim.state.vms[0]?.failedOver, true);
  assert.equal(
    sim.log.filter((e) => e.fault).map((e) => e.fault),
    ['restart'],
  );
});

test('faults declared in the inventory work like faults in the options', async () => {
  const { demoInventory } = await import('../engine/simulator/index.js');
  const inventory = { ...demoInventory(), faults: [{ kind: 'status' as const, status: 503, path: '^/$' }] };
  const { sim } = testSim({ inventory });
  assert.is((await sim.fetch(`${API}/`)).status, 503);
});

test.run();
