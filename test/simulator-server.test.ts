// The simulator over a real loopback socket, driven with plain fetch (no engine client):
// a full session, connection faults as real resets, client aborts, TLS with the CA PEM.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { request as httpsRequest } from 'node:https';
import { FakeClock } from '../engine/clock.js';
import { createSimulator, demoInventory, startSimulatorServer } from '../engine/simulator/index.js';

const auth = `Basic ${Buffer.from('runbook:runbook-demo').toString('base64')}`;

test('a full session over HTTP: logon, list, failover, poll, delete, logout, expiry', async () => {
  const clock = new FakeClock();
  const sim = createSimulator({ inventory: demoInventory(), clock });
  const server = await startSimulatorServer(sim, { port: 0 });
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const root = await fetch(`${server.url}/api/`);
    assert.is(root.status, 200);
    assert.is(root.headers.get('server'), 'Microsoft-HTTPAPI/2.0');
    assert.match(await root.text(), `${server.url}/api/sessionMngr/?v=latest`);

    const logon = await fetch(`${server.url}/api/sessionMngr/?v=latest`, { method: 'POST', headers: { Authorization: auth } });
    assert.is(logon.status, 201);
    const token = logon.headers.get('x-restsvcsessionid') ?? '';
    const location = logon.headers.get('location') ?? '';
    assert.match(location, `${server.url}/api/logonSessions/`);
    await logon.text();
    const h = { 'X-RestSvcSessionId': token, Accept: 'application/json' };

    const replicas = (await (await fetch(`${server.url}/api/cdpReplicas`, { headers: h })).json()) as { Refs: Array<{ Href: string }> };
    const vms = (await (await fetch(`${replicas.Refs[0]?.Href}/vms`, { headers: h })).json()) as { Refs: Array<{ Href: string }> };
    const vmHref = vms.Refs[0]?.Href ?? '';
    const started = await fetch(`${vmHref}?action=failover`, {
      method: 'POST',
      headers: { ...h, 'Content-Type': 'application/json' },
      body: JSON.stringify({ RestoreCurrent: true, RestoreCurrentVss: false }),
    });
    assert.is(started.status, 202);
    const task = (await started.json()) as { TaskId: string; Href: string; State: string };
    assert.is(task.State, 'Running');
    assert.is(task.Href, `${server.url}/api/tasks/${task.TaskId}`);
    assert.is(((await (await fetch(task.Href, { headers: h })).json()) as { State: string }).State, 'Running');
    await clock.advance(3000);
    const done = (await (await fetch(task.Href, { headers: h })).json()) as { State: string; Result: { Success: boolean } };
    assert.is(done.State, 'Finished');
    assert.ok(done.Result.Success);
    assert.is((await fetch(task.Href, { method: 'DELETE', headers: h })).status, 204);
    assert.is((await fetch(task.Href, { headers: h })).status, 404);

    assert.is((await fetch(location, { method: 'DELETE', headers: h })).status, 204);
    assert.is((await fetch(`${server.url}/api/tasks`, { headers: h })).status, 401);

    // Idle expiry on the simulator's clock, through the cookie this time.
    const second = await fetch(`${server.url}/api/sessionMngr/?v=latest`, { method: 'POST', headers: { Authorization: auth } });
    const cookie = (second.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    await second.text();
    assert.is((await fetch(`${server.url}/api/tasks`, { headers: { Cookie: cookie } })).status, 200);
    await clock.advance(15 * 60_000);
    const expired = await fetch(`${server.url}/api/tasks`, { headers: { Cookie: cookie } });
    assert.is(expired.status, 401);
    assert.match(await expired.text(), '<Error ');
    assert.ok(sim.state.vms[0]?.failedOver);
    assert.equal(
      sim.log.map((e) => e.status),
      [200, 201, 200, 200, 202, 200, 200, 204, 404, 204, 401, 201, 200, 401],
    );
  } finally {
    await server.close();
  }
});

test('connection faults reset the socket; a never-answering request ends when the client aborts', async () => {
  const sim = createSimulator({
    inventory: demoInventory(),
    faults: [
      { kind: 'reset-before', path: '^/$', nth: 1 },
      { kind: 'hang', path: '^/$', nth: 2 },
      { kind: 'latency', path: '^/$', nth: 4, delay: '60s' },
    ],
  });
  const server = await startSimulatorServer(sim, { port: 0 });
  try {
    const reset = await fetch(`${server.url}/api/`).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.instance(reset, TypeError);
    const error = await fetch(`${server.url}/api/`, { signal: AbortSignal.timeout(200) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.instance(error, DOMException);
    assert.is((error as DOMException).name, 'TimeoutError');
    assert.is((await fetch(`${server.url}/api/`)).status, 200);
    // A 60 s delay ends when its client goes away: the simulator logs it then, not a minute later.
    const gone = await fetch(`${server.url}/api/`, { signal: AbortSignal.timeout(200) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.instance(gone, DOMException);
    for (let i = 0; i < 100 && !sim.log.some((e) => e.fault === 'latency'); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(
      sim.log.some((e) => e.fault === 'latency'),
      'the delayed request ended with its connection',
    );
  } finally {
    await server.close();
  }
});

test('--tls: HTTPS with a self-signed certificate that verifies against the returned CA PEM', async () => {
  const sim = createSimulator({ inventory: demoInventory() });
  const server = await startSimulatorServer(sim, { port: 0, tls: true });
  try {
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(server.caPem ?? '', 'BEGIN CERTIFICATE');
    const get = (ca?: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpsRequest(`${server.url}/api/`, { ...(ca ? { ca } : {}) }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    assert.is(await get(server.caPem), 200);
    const untrusted = await get().then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.instance(untrusted, Error);
    assert.match(String((untrusted as NodeJS.ErrnoException).code), /SELF_SIGNED|UNABLE_TO_VERIFY/);
  } finally {
    await server.close();
  }
});

test.run();
