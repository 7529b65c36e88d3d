// The client against the simulator's handler, in-process (passed as `fetch`): every
// resource in both media types, session expiry, single-flight renewal, retries and the
// never-twice rule, witnessed by the simulator's request log and state.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock } from '../engine/clock.js';
import type { ClientEvent, ClientOptions, EmClient } from '../engine/api/types.js';
import { createSimulator, demoInventory, DEMO_ADMIN, DEMO_USERS, type FaultSpec, type Simulator } from '../engine/simulator/index.js';
import { EmAuthError, EmHttpError, EmMalformedResponseError, OutcomeUnknownError } from '../engine/errors.js';
import { secretAudit } from './helpers/api-fake-em.js';
import { rejectionRecorder, testClient } from './helpers/api-setup.js';

const audit = secretAudit();
const MIN = 60_000;
const SPEC = { restoreCurrent: true, restoreCurrentVss: false };

interface Rig {
  sim: Simulator;
  clock: FakeClock;
  client: EmClient;
  events: ClientEvent[];
}

function rig(options: { faults?: FaultSpec[]; client?: Partial<ClientOptions>; auto?: boolean } = {}): Rig {
  const clock = new FakeClock({ auto: options.auto ?? true });
  const sim = createSimulator({ inventory: demoInventory(), clock, ...(options.faults ? { faults: options.faults } : {}) });
  const { client, events } = testClient({
    url: 'https://em01:9398/api',
    username: DEMO_ADMIN.name,
    password: DEMO_ADMIN.password,
    fetch: sim.fetch,
    clock,
    audit,
    ...(options.client ? { extra: options.client } : {}),
  });
  return { sim, clock, client, events };
}

const rejects = rejectionRecorder(audit);

const logons = (sim: Simulator) => sim.log.filter((l) => l.method === 'POST' && l.path.startsWith('/sessionMngr')).length;
const posts = (sim: Simulator, action: string) => sim.log.filter((l) => l.method === 'POST' && l.query.includes(`action=${action}`));

async function erpDb01(client: EmClient) {
  const replica = await client.findCdpReplica('ERP-CDP');
  if (!replica) throw new Error('ERP-CDP not found');
  const vm = (await client.listCdpReplicaVms(replica.id)).find((v) => v.name === 'erp-db01');
  if (!vm) throw new Error('erp-db01 not found');
  return { replica, vm };
}

for (const media of ['xml', 'json'] as const) {
  test(`every resource works in ${media.toUpperCase()}`, async () => {
    const { sim, clock, client } = rig({ client: { media } });
    assert.is(client.media, media);
    const replicas = await client.listCdpReplicas();
    assert.equal(
      replicas.map((r) => r.name),
      ['ERP-CDP', 'CRM-CDP', 'Files-CDP'],
    );
    const { replica, vm } = await erpDb01(client);
    assert.is(replica.id, replicas[0]?.id);
    assert.is((await client.findCdpReplica(replica.id))?.policyName, 'ERP-CDP');
    assert.is(await client.findCdpReplica('no-such-policy'), undefined);

    const entity = await client.getCdpReplicaVm(replica.id, vm.id);
    assert.is(entity.name, 'erp-db01');
    assert.match(entity.vmRef ?? '', /^urn:VMware:Vm:/);
    const now = clock.now();
    const intervals = await client.cdpIntervals(replica.id, vm.id, new Date(now - 3_600_000).toISOString(), new Date(now).toISOString());
    assert.ok(intervals.intervals.length > 0);

    const task = await client.failoverCdpVm(replica.id, vm.id, SPEC, { subject: 'VM "erp-db01"' });
    assert.equal([task.state, task.operation], ['Running', 'StartFailover']);
    await clock.sleep(10_000);
    const done = await client.getTask(task.taskId);
    assert.equal([done.state, done.result?.success], ['Finished', true]);
    const restore = await client.getRestoreSession(done.restoreSessionHref ?? '');
    assert.equal([restore.state, restore.result, restore.vmDisplayName], ['Stopped', 'Success', 'erp-db01']);
    assert.equal(
      (await client.listTasks()).map((t) => t.taskId),
      [task.taskId],
    );
    await client.deleteTask(task.taskId);
    await client.deleteTask(task.taskId); // already gone: 404, resolved

    const vapp = await client.findVappCdpReplica('web-vapp');
    assert.ok(vapp);
    assert.is((await client.findVappCdpReplica(vapp?.id ?? ''))?.name, 'web-vapp');
    assert.is((await client.listVappCdpReplicas()).length, 1);
    const vappIntervals = await client.vappIntervals(vapp?.id ?? '', new Date(now - 3_600_000).toISOString(), new Date(now).toISOString());
    assert.ok(vappIntervals.end.length > 0);
    assert.is((await client.failoverVapp(vapp?.id ?? '', SPEC)).operation, 'StartFailover');

    const plan = await client.findFailoverPlan('DNS cutover plan');
    assert.ok(plan);
    assert.is((await client.findFailoverPlan(plan?.id ?? ''))?.name, 'DNS cutover plan');
    assert.is((await client.startFailoverPlan(plan?.id ?? '', { startNow: true })).operation, 'StartFailoverPlan');
    await clock.sleep(10_000);
    assert.is((await client.undoFailoverPlan(plan?.id ?? '')).operation, 'UndoFailoverPlan');
    const point = sim.state.replicaPoints[0];
    assert.is((await client.failoverReplicaPoint(point?.id ?? '')).operation, 'StartReplicaFailover');

    await client.logout();
    const last = sim.log[sim.log.length - 1];
    assert.equal([last?.method, last?.path.startsWith('/logonSessions/'), last?.status], ['DELETE', true, 204]);
    assert.is(sim.state.sessions, 0);
    assert.is(logons(sim), 1);
    assert.is(posts(sim, 'failover').length, 3);
    assert.ok(sim.log.every((l) => l.status < 500));
  });
}

test('the session expires in the middle of a sequence: one 401, one logon, the call replayed', async () => {
  // idleRenewMs above EM's timeout, to exercise the 401 path rather than proactive renewal.
  const { sim, clock, client, events } = rig({ auto: false, client: { idleRenewMs: 60 * MIN } });
  const { replica } = await erpDb01(client);
  await clock.advance(16 * MIN);
  const vms = await client.listCdpReplicaVms(replica.id);
  assert.is(vms.length, 4);
  const tail = sim.log.slice(-3).map((l) => `${l.method} ${l.path} ${l.status} ${l.session ?? '-'}`);
  assert.equal(tail, [
    `GET /cdpReplicas/${replica.id}/vms 401 s1`,
    'POST /sessionMngr/ 201 s2',
    `GET /cdpReplicas/${replica.id}/vms 200 s2`,
  ]);
  assert.equal(
    events.filter((e) => e.type === 'logon').map((e) => e.type === 'logon' && e.reason),
    ['initial', 'expired'],
  );
});

test('proactive renewal below EM idle timeout: no 401 at all', async () => {
  const { sim, clock, client, events } = rig({ auto: false, client: { idleRenewMs: 10 * MIN } });
  await client.listCdpReplicas();
  await clock.advance(11 * MIN);
  await client.listCdpReplicas();
  assert.is(sim.log.filter((l) => l.status === 401).length, 0);
  assert.is(logons(sim), 2);
  assert.equal(
    events.filter((e) => e.type === 'logon').map((e) => e.type === 'logon' && e.reason),
    ['initial', 'idle'],
  );
});

test('50 concurrent requests meet an expired session: exactly one logon, all 50 replayed', async () => {
  const { sim, clock, client } = rig({ auto: false, client: { idleRenewMs: 60 * MIN } });
  const { replica, vm } = await erpDb01(client);
  await clock.advance(20 * MIN);
  const results = await Promise.all(Array.from({ length: 50 }, () => client.getCdpReplicaVm(replica.id, vm.id)));
  assert.ok(results.every((r) => r.name === 'erp-db01'));
  assert.is(logons(sim), 2);
  assert.is(sim.state.logons, 2);
  const gets = sim.log.filter((l) => l.path === `/cdpReplicas/${replica.id}/vms/${vm.id}`);
  assert.is(gets.filter((l) => l.status === 401).length, 50);
  assert.is(gets.filter((l) => l.status === 200).length, 50);
});

test('retries on a FakeClock: 503s on a GET, backoff delays through the clock', async () => {
  const { sim, clock, client, events } = rig({ faults: [{ kind: 'status', status: 503, method: 'GET', path: '^/tasks$', nth: [1, 2] }] });
  const start = clock.now();
  assert.equal(await client.listTasks(), []);
  assert.equal(
    events.filter((e) => e.type === 'retry').map((e) => e.type === 'retry' && [e.attempt, e.delayMs, e.reason]),
    [
      [2, 375, '503 Service Unavailable'],
      [3, 750, '503 Service Unavailable'],
    ],
  );
  assert.is(clock.now() - start, 1125);
  assert.equal(
    sim.log.filter((l) => l.path === '/tasks').map((l) => l.status),
    [503, 503, 200],
  );
});

test('ambiguous failover (processed, then the connection reset): OutcomeUnknownError, exactly one POST', async () => {
  const { sim, clock, client } = rig({ faults: [{ kind: 'reset-after', method: 'POST', path: 'action=failover' }] });
  const { replica, vm } = await erpDb01(client);
  const error = await rejects(client.failoverCdpVm(replica.id, vm.id, SPEC, { subject: 'VM "erp-db01"' }));
  assert.instance(error, OutcomeUnknownError);
  assert.match(error.message, /^VM "erp-db01": POST \/cdpReplicas\/.+\?action=failover on em01:9398: outcome unknown/);
  assert.is(posts(sim, 'failover').length, 1);
  await clock.sleep(10_000);
  assert.is(sim.state.failovers['vm:erp-db01'], 1, 'EM did fail it over, once');
});

test('reset before processing is still unknown to the client: not re-sent, nothing failed over', async () => {
  const { sim, clock, client } = rig({ faults: [{ kind: 'reset-before', method: 'POST', path: 'action=failover' }] });
  const { replica, vm } = await erpDb01(client);
  assert.instance(await rejects(client.failoverCdpVm(replica.id, vm.id, SPEC)), OutcomeUnknownError);
  assert.is(posts(sim, 'failover').length, 1);
  await clock.sleep(10_000);
  assert.is(sim.state.failovers['vm:erp-db01'], undefined);
});

test('a hanging failover times out as OutcomeUnknownError, sent once', async () => {
  const { sim, client } = rig({ faults: [{ kind: 'hang', method: 'POST', path: 'action=failover' }], client: { timeoutMs: 25 } });
  const { replica, vm } = await erpDb01(client);
  assert.instance(await rejects(client.failoverCdpVm(replica.id, vm.id, SPEC, { subject: 'VM "erp-db01"' })), OutcomeUnknownError);
  assert.is(posts(sim, 'failover').length, 1);
});

test('503 with an EM Error body on the failover POST: retried, exactly one failover processed', async () => {
  const { sim, clock, client } = rig({ faults: [{ kind: 'status', status: 503, method: 'POST', path: 'action=failover', nth: 1 }] });
  const { replica, vm } = await erpDb01(client);
  const task = await client.failoverCdpVm(replica.id, vm.id, SPEC);
  assert.is(task.operation, 'StartFailover');
  assert.equal(
    posts(sim, 'failover').map((l) => l.status),
    [503, 202],
  );
  await clock.sleep(10_000);
  assert.is(sim.state.failovers['vm:erp-db01'], 1);
});

test('400, 403 and 404 are not retried and carry EM message', async () => {
  const bad = rig({
    faults: [{ kind: 'status', status: 400, method: 'POST', path: 'action=intervals', message: 'EndDate must be after StartDate' }],
  });
  const { replica, vm } = await erpDb01(bad.client);
  const e400 = await rejects(bad.client.cdpIntervals(replica.id, vm.id, 'b', 'a'));
  assert.instance(e400, EmHttpError);
  assert.is((e400 as EmHttpError).emMessage, 'EndDate must be after StartDate');
  assert.is(posts(bad.sim, 'intervals').length, 1);

  const e404 = await rejects(bad.client.getCdpReplicaVm(replica.id, '00000000-0000-4000-8000-00000000dead'));
  assert.is((e404 as EmHttpError).status, 404);
  assert.ok((e404 as EmHttpError).emMessage);
  assert.match(e404.message, `GET /cdpReplicas/${replica.id}/vms/00000000-0000-4000-8000-00000000dead?format=Entity → 404`);

  const operator = DEMO_USERS.find((u) => u.role === 'Restore Operator');
  const denied = rig({ client: { username: operator?.name ?? '', password: operator?.password ?? '' } });
  const e403 = await rejects(denied.client.listCdpReplicas());
  assert.is((e403 as EmHttpError).status, 403);
  assert.ok((e403 as EmHttpError).emMessage);
  assert.is(denied.sim.log.filter((l) => l.path === '/cdpReplicas').length, 1);
});

test('bad credentials: EmAuthError after one logon attempt', async () => {
  const { sim, client } = rig({ client: { password: 'wrong' } });
  assert.instance(await rejects(client.listCdpReplicas()), EmAuthError);
  assert.is(logons(sim), 1);
});

test('malformed and truncated bodies name the endpoint; a BOM is tolerated (both media)', async () => {
  for (const media of ['xml', 'json'] as const) {
    const { client } = rig({
      client: { media },
      faults: [
        { kind: 'malformed', method: 'GET', path: '^/cdpReplicas$', nth: 1 },
        { kind: 'truncate', method: 'GET', path: '^/cdpReplicas$', nth: 2 },
        { kind: 'bom', method: 'GET', path: '^/cdpReplicas$', nth: 3 },
      ],
    });
    const malformed = await rejects(client.listCdpReplicas());
    assert.instance(malformed, EmMalformedResponseError);
    assert.match(malformed.message, 'GET /cdpReplicas → 200');
    assert.instance(await rejects(client.listCdpReplicas()), EmMalformedResponseError);
    assert.is((await client.listCdpReplicas()).length, 3);
  }
});

test('no secret in any event or error produced above', () => {
  assert.ok(audit.observed.length > 50);
  assert.equal(
    audit.leaks([DEMO_ADMIN.password, 'wrong', Buffer.from(`${DEMO_ADMIN.name}:${DEMO_ADMIN.password}`).toString('base64')]),
    [],
  );
});

test.run();
