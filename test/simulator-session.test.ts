// Sessions and auth (API spec §2, §11): token relation, cookie wins, 401/403/404/405 in
// both media types, the Accept pitfall, idle expiry on a FakeClock, a clean request log.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { API, basic, demoVm, failover, json, logon, testSim } from './helpers/simulator.js';

test('logon: 201, token = base64(SessionId), cookie, Location, LogonSession body', async () => {
  const { sim } = testSim();
  const r = await sim.fetch(`${API}/sessionMngr/?v=v1_7`, { method: 'POST', headers: { Authorization: basic('runbook', 'runbook-demo') } });
  assert.is(r.status, 201);
  const body = await r.text();
  const sessionId = /<SessionId>([^<]+)<\/SessionId>/.exec(body)?.[1] ?? '';
  const token = r.headers.get('X-RestSvcSessionId') ?? '';
  assert.is(Buffer.from(token, 'base64').toString('utf8'), sessionId);
  assert.is(r.headers.get('set-cookie'), `X-RestSvcSessionId=${token}; Path=/api;`);
  assert.is(r.headers.get('location'), `${API}/logonSessions/${sessionId}`);
  assert.match(body, '<UserName>runbook</UserName>');
  for (const v of ['latest', 'v1_5', 'v1_6']) {
    const ok = await sim.fetch(`${API}/sessionMngr/?v=${v}`, {
      method: 'POST',
      headers: { Authorization: basic('runbook', 'runbook-demo') },
    });
    assert.is(ok.status, 201, v);
  }
  const bad = await sim.fetch(`${API}/sessionMngr/?v=v1_4`, {
    method: 'POST',
    headers: { Authorization: basic('runbook', 'runbook-demo') },
  });
  assert.is(bad.status, 400);
  assert.match(await bad.text(), 'Unsupported API version');
});

test('bad credentials and no Authorization: 401 + WWW-Authenticate + Error', async () => {
  const { sim } = testSim();
  for (const headers of [
    { Authorization: basic('runbook', 'wrong') },
    { Authorization: basic('nobody', 'x') },
    {} as Record<string, string>,
  ]) {
    const r = await sim.fetch(`${API}/sessionMngr/?v=latest`, { method: 'POST', headers: { ...headers, Accept: 'application/json' } });
    assert.is(r.status, 401);
    assert.is(r.headers.get('www-authenticate'), 'Basic Realm=RestSvc');
    const err = (await r.json()) as Record<string, unknown>;
    assert.is(err.StatusCode, 401);
  }
  assert.is(sim.state.logons, 0);
});

test('the cookie wins over the header when both are sent', async () => {
  const { sim } = testSim();
  const a = await logon(sim);
  const b = await logon(sim);
  const vm = await demoVm(sim, a.headers);
  const r = await failover(sim, { 'X-RestSvcSessionId': a.token, Cookie: `X-RestSvcSessionId=${b.token}` }, vm.vmHref);
  assert.is(r.status, 202);
  const taskId = /<TaskId>([^<]+)</.exec(await r.text())?.[1] ?? '';
  assert.is(sim.state.tasks.find((t) => t.taskId === taskId)?.session, 's2');
  // A bad cookie is not rescued by a good header.
  const bad = await sim.fetch(`${API}/tasks`, { headers: { 'X-RestSvcSessionId': a.token, Cookie: 'X-RestSvcSessionId=bogus' } });
  assert.is(bad.status, 401);
});

test('401 / 403 / 404 / 405 carry an Error body in XML and in JSON', async () => {
  const { sim } = testSim();
  const admin = await logon(sim);
  const portal = await logon(sim, 'portal', 'portal-demo');
  const operator = await logon(sim, 'operator', 'operator-demo');
  const cases: Array<[string, RequestInit, number]> = [
    [`${API}/cdpReplicas`, {}, 401],
    [`${API}/cdpReplicas`, { headers: { 'X-RestSvcSessionId': 'bm9wZQ==' } }, 401],
    [`${API}/cdpReplicas`, { headers: portal.headers }, 403],
    [`${API}/cdpReplicas`, { headers: operator.headers }, 403],
    [`${API}/query?type=CdpReplica`, { headers: portal.headers }, 403],
    [`${API}/failoverPlans`, { headers: portal.headers }, 403],
    [`${API}/cdpReplicas/00000000-0000-0000-0000-000000000000`, { headers: admin.headers }, 404],
    [`${API}/nowhere`, { headers: admin.headers }, 404],
    [`${API}/cdpReplicas`, { method: 'DELETE', headers: admin.headers }, 405],
    [`${API}/tasks`, { method: 'POST', headers: admin.headers }, 405],
  ];
  for (const [url, init, status] of cases) {
    const xml = await sim.fetch(url, init);
    assert.is(xml.status, status, `${url} xml`);
    const text = await xml.text();
    assert.match(text, new RegExp(`<Error [^>]*StatusCode="${status}"`), url);
    assert.is(xml.headers.get('content-type'), 'application/xml; charset=utf-8');
    const j = await sim.fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), Accept: 'application/json' } });
    assert.is(j.status, status, `${url} json`);
    const err = (await j.json()) as Record<string, unknown>;
    assert.equal(Object.keys(err), ['FirstChanceExceptionMessage', 'Message', 'StackTrace', 'Status', 'StatusCode']);
    assert.is(err.StatusCode, status);
    assert.type(err.Message, 'string');
  }
  const forbidden = (await (await sim.fetch(`${API}/cdpReplicas`, { headers: json(portal.headers) })).json()) as Record<string, unknown>;
  assert.is(forbidden.Message, 'Access denied.');
  // Tasks are for every role; plans for Restore Operators too.
  assert.is((await sim.fetch(`${API}/tasks`, { headers: portal.headers })).status, 200);
  assert.is((await sim.fetch(`${API}/failoverPlans`, { headers: operator.headers })).status, 200);
});

test('Accept pitfall: application/json anywhere in Accept + XML body → 400 "Node [root] does not exist."', async () => {
  const { sim } = testSim();
  const s = await logon(sim);
  const vm = await demoVm(sim, s.headers);
  const r = await sim.fetch(`${vm.vmHref}?action=failover`, {
    method: 'POST',
    headers: { ...s.headers, Accept: 'application/xml, application/json;q=0.5', 'Content-Type': 'application/xml' },
    body: '<CdpFailoverStartSpec xmlns="http://www.veeam.com/ent/v1.0"><RestoreCurrent>true</RestoreCurrent><RestoreCurrentVss>false</RestoreCurrentVss></CdpFailoverStartSpec>',
  });
  assert.is(r.status, 400);
  assert.equal(await r.json(), {
    FirstChanceExceptionMessage: null,
    Message: 'Node [root] does not exist.',
    StackTrace: null,
    Status: null,
    StatusCode: 400,
  });
  // And a JSON body with an XML Accept fails too (§7).
  const x = await sim.fetch(`${vm.vmHref}?action=failover`, {
    method: 'POST',
    headers: { ...s.headers, 'Content-Type': 'application/json' },
    body: '{"RestoreCurrent":true,"RestoreCurrentVss":false}',
  });
  assert.is(x.status, 400);
  assert.match(await x.text(), 'There is an error in XML document');
  assert.is(sim.state.tasks.length, 0);
});

test('idle expiry: 15 minutes of silence → 401; any request slides the timer', async () => {
  const { sim, clock } = testSim();
  const s = await logon(sim);
  await clock.advance(14 * 60_000);
  assert.is((await sim.fetch(`${API}/tasks`, { headers: s.headers })).status, 200);
  await clock.advance(14 * 60_000);
  assert.is((await sim.fetch(`${API}/tasks`, { headers: s.headers })).status, 200);
  await clock.advance(15 * 60_000);
  const r = await sim.fetch(`${API}/tasks`, { headers: json(s.headers) });
  assert.is(r.status, 401);
  assert.is(((await r.json()) as Record<string, unknown>).Message, 'Session has expired or is not found.');
  assert.is(sim.state.sessions, 0);
});

test('sessionIdleMs is configurable', async () => {
  const { sim, clock } = testSim({ sessionIdleMs: 1000 });
  const s = await logon(sim);
  await clock.advance(999);
  assert.is((await sim.fetch(`${API}/tasks`, { headers: s.headers })).status, 200);
  await clock.advance(1000);
  assert.is((await sim.fetch(`${API}/tasks`, { headers: s.headers })).status, 401);
});

test('logout: DELETE /logonSessions/{id} → 204, then 401; another session id → 404', async () => {
  const { sim } = testSim();
  const a = await logon(sim);
  const b = await logon(sim);
  assert.is((await sim.fetch(`${API}/logonSessions/${b.sessionId}`, { method: 'DELETE', headers: a.headers })).status, 404);
  assert.is((await sim.fetch(`${API}/logonSessions/${a.sessionId}`, { headers: a.headers })).status, 200);
  const r = await sim.fetch(`${API}/logonSessions/${a.sessionId}`, { method: 'DELETE', headers: a.headers });
  assert.is(r.status, 204);
  assert.is(await r.text(), '');
  assert.is((await sim.fetch(`${API}/tasks`, { headers: a.headers })).status, 401);
  assert.is((await sim.fetch(`${API}/tasks`, { headers: b.headers })).status, 200);
});

test('GET /api/ needs no auth and lists the supported versions', async () => {
  const { sim } = testSim();
  const r = await sim.fetch(`${API}/`, { headers: { Accept: 'application/json' } });
  assert.is(r.status, 200);
  const body = (await r.json()) as { SupportedVersions: { SupportedVersions: Array<{ Name: string }> }; Links: Array<{ Href: string }> };
  assert.equal(
    body.SupportedVersions.SupportedVersions.map((v) => v.Name),
    ['v1_5', 'v1_6', 'v1_7'],
  );
  assert.ok(body.Links.some((l) => l.Href === `${API}/sessionMngr/?v=latest`));
});

test('the request log never holds passwords, tokens or Basic headers', async () => {
  const { sim } = testSim();
  const s = await logon(sim);
  await sim.fetch(`${API}/sessionMngr/?v=latest`, { method: 'POST', headers: { Authorization: basic('runbook', 'wrong-secret') } });
  await sim.fetch(`${API}/sessionMngr/?v=latest`, {
    method: 'POST',
    headers: { Authorization: basic('runbook', 'runbook-demo'), 'Content-Type': 'application/xml' },
    body: '<LoginSpec xmlns="http://www.veeam.com/ent/v1.0"><TenantCredentials><Username>t</Username><Password>tenant-secret</Password></TenantCredentials></LoginSpec>',
  });
  const vm = await demoVm(sim, s.headers);
  await failover(sim, { Cookie: `X-RestSvcSessionId=${s.token}` }, vm.vmHref);
  const text = JSON.stringify(sim.log);
  for (const secret of ['runbook-demo', 'wrong-secret', 'tenant-secret', s.token, 'Basic ', basic('runbook', 'runbook-demo').slice(6)]) {
    assert.not.ok(text.includes(secret), `log contains ${secret}`);
  }
  assert.ok(sim.log.every((e) => e.session === undefined || /^s\d+$/.test(e.session)));
  assert.is(sim.log.at(-1)?.session, 's1');
});

test.run();
