// Logon, renewal (401 and idle), single-flight, logout and base URLs, against a scripted EM.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock } from '../engine/clock.js';
import { createClient } from '../engine/api/client.js';
import { normalizeBaseUrl, relativePath } from '../engine/api/base-url.js';
import type { ClientEvent, ClientOptions } from '../engine/api/types.js';
import { EmAuthError, EmMalformedResponseError, UsageError } from '../engine/errors.js';
import { rejectionRecorder, scriptedClient } from './helpers/api-setup.js';
import {
  PASSWORD,
  SESSION_ID,
  TOKEN,
  fakeEm,
  logonOk,
  netError,
  secretAudit,
  taskXml,
  xml,
  xmlError,
  type Responder,
} from './helpers/api-fake-em.js';

const audit = secretAudit();
const BASIC = `Basic ${Buffer.from(`dr:${PASSWORD}`).toString('base64')}`;

const setup = (responder: Responder, logon?: Responder, extra: Partial<ClientOptions> = {}) =>
  scriptedClient(responder, { url: 'https://em:9398/api/', audit, extra, ...(logon ? { logon } : {}) });

const rejects = rejectionRecorder(audit);

/** EM with rotating tokens: only the latest issued token is accepted. */
function rotatingEm() {
  let issued = 0;
  let valid = '';
  const state = {
    expire: () => (valid = 'none'),
    logon: (() => {
      issued++;
      valid = `token-${issued}`;
      return logonOk(valid, `00000000-0000-4000-8000-00000000000${issued}`);
    }) as Responder,
    responder: ((s) =>
      s.headers['x-restsvcsessionid'] === valid
        ? xml(taskXml('task-1'), s.method === 'POST' ? 202 : 200)
        : xmlError(401, 'Session has expired or is not found.')) as Responder,
  };
  return state;
}

test('B2: sessionEpoch counts successful logons (0 before, +1 per renewal, one for concurrent 401s); tasks carry theirs', async () => {
  const em = rotatingEm();
  const { clock, client } = setup(em.responder, em.logon, { idleRenewMs: 60_000 });
  assert.is(client.sessionEpoch, 0);
  const first = await client.failoverCdpVm('r1', 'v1', { restoreCurrent: true, restoreCurrentVss: false });
  assert.is(client.sessionEpoch, 1);
  assert.is(first.sessionEpoch, 1);
  em.expire();
  const tasks = await Promise.all(Array.from({ length: 10 }, () => client.getTask('task-1')));
  assert.is(client.sessionEpoch, 2, 'ten concurrent 401s: one new logon');
  assert.equal(
    tasks.map((t) => t.sessionEpoch),
    Array(10).fill(2),
  );
  await clock.advance(60_000);
  const listed = await client.listTasks();
  assert.is(client.sessionEpoch, 3, 'idle renewal');
  assert.ok(listed.every((t) => t.sessionEpoch === 3));
  // The task started under epoch 1 is now of an older session than the client's.
  assert.ok(first.sessionEpoch !== undefined && first.sessionEpoch < client.sessionEpoch);
});

test('B2: a failed logon does not advance sessionEpoch', async () => {
  const { client } = setup(
    () => xml(taskXml('task-1')),
    () => xmlError(401, 'Bad credentials'),
  );
  await rejects(client.logon());
  assert.is(client.sessionEpoch, 0);
});

test('logon: Basic auth, token from a lower-case header, session id for logout', async () => {
  const { em, events, client } = setup(() => xml(taskXml('task-1')));
  await client.getTask('task-1');
  const [logon] = em.seen;
  assert.is(logon?.method, 'POST');
  assert.is(logon?.url, 'https://em:9398/api/sessionMngr/?v=latest');
  assert.is(logon?.headers.authorization, BASIC);
  assert.is(em.calls[0]?.headers['x-restsvcsessionid'], TOKEN);
  await client.logout();
  const del = em.calls[1];
  assert.is(del?.method, 'DELETE');
  assert.is(del?.path, `/api/logonSessions/${SESSION_ID}`);
  assert.is(del?.headers['x-restsvcsessionid'], TOKEN);
  assert.equal(
    events.filter((e) => e.type === 'logon' || e.type === 'logout'),
    [{ type: 'logon', reason: 'initial' }, { type: 'logout' }],
  );
  // Logging out twice is harmless: no session, no request.
  await client.logout();
  assert.is(em.calls.length, 2);
});

test('logon: session id from Location when the body has none; JSON LogonSession', async () => {
  const location = setup(
    () => new Response(null, { status: 204 }),
    () =>
      new Response('', { status: 201, headers: { 'X-RestSvcSessionId': TOKEN, Location: 'https://em:9398/api/logonSessions/abc-123' } }),
  );
  await location.client.logon();
  await location.client.logout();
  assert.is(location.em.calls[0]?.path, '/api/logonSessions/abc-123');

  const json = setup(
    () => new Response(null, { status: 204 }),
    () =>
      new Response(
        JSON.stringify({
          UserName: 'EM\\dr',
          SessionId: 'json-session',
          Links: [],
          Href: 'https://em/api/logonSessions/json-session',
          Type: 'LogonSession',
        }),
        {
          status: 201,
          headers: { 'X-RESTSVCSESSIONID': TOKEN, 'Content-Type': 'application/json; charset=utf-8' },
        },
      ),
    { media: 'json' },
  );
  await json.client.logon();
  await json.client.logout();
  assert.is(json.em.calls[0]?.path, '/api/logonSessions/json-session');
  assert.is(json.em.seen[0]?.headers.accept, 'application/json');
});

test('logon without a token header is a malformed response, not a silent anonymous session', async () => {
  const { client } = setup(
    () => xml(taskXml('t')),
    () => new Response('', { status: 201 }),
  );
  const error = await rejects(client.logon());
  assert.instance(error, EmMalformedResponseError);
  assert.match(error.message, 'X-RestSvcSessionId');
});

test('bad credentials: EmAuthError at once, one logon attempt, no loop', async () => {
  const { em, client } = setup(
    () => xml(taskXml('t')),
    () =>
      new Response('<Error Message="Unauthorized" StatusCode="401"/>', {
        status: 401,
        headers: { 'WWW-Authenticate': 'Basic Realm=RestSvc' },
      }),
  );
  const error = await rejects(client.getTask('task-1'));
  assert.instance(error, EmAuthError);
  assert.is(em.logons(), 1);
  assert.is(em.calls.length, 0);
  assert.match(error.message, 'POST /sessionMngr/?v=latest → 401');
  assert.match(error.message, 'check the username and password');
});

test('50 concurrent requests that all see 401: exactly one new logon, all 50 replayed', async () => {
  const em = rotatingEm();
  const { em: fake, events, client } = setup(em.responder, em.logon);
  await client.getTask('task-1');
  em.expire();
  const tasks = await Promise.all(Array.from({ length: 50 }, () => client.getTask('task-1')));
  assert.is(tasks.length, 50);
  assert.is(fake.logons(), 2);
  assert.is(fake.calls.length, 1 + 50 + 50);
  assert.ok(fake.calls.slice(51).every((c) => c.headers['x-restsvcsessionid'] === 'token-2'));
  assert.equal(
    events.filter((e) => e.type === 'logon'),
    [
      { type: 'logon', reason: 'initial' },
      { type: 'logon', reason: 'expired' },
    ],
  );
});

test('a failover POST that meets 401 is replayed once after a new logon (EM did not process it)', async () => {
  const em = rotatingEm();
  const { em: fake, client } = setup(em.responder, em.logon);
  await client.logon();
  em.expire();
  const task = await client.failoverCdpVm('r', 'v', { restoreCurrent: true, restoreCurrentVss: false });
  assert.is(task.taskId, 'task-1');
  assert.equal(
    fake.calls.map((c) => [c.method, c.headers['x-restsvcsessionid']]),
    [
      ['POST', 'token-1'],
      ['POST', 'token-2'],
    ],
  );
});

test('a 401 right after a new logon is final (no logon loop)', async () => {
  const { em, client } = setup(() => xmlError(401, 'nope'));
  const error = await rejects(client.getTask('task-1'));
  assert.instance(error, EmAuthError);
  assert.is(em.logons(), 2);
  assert.is(em.calls.length, 2);
});

test('idle renewal: after idleRenewMs without requests, log on again before sending', async () => {
  const em = rotatingEm();
  const fake = fakeEm(em.responder, em.logon);
  const clock = new FakeClock({ start: 0 });
  const events: ClientEvent[] = [];
  const client = createClient({
    url: 'https://em:9398',
    username: 'dr',
    password: PASSWORD,
    fetch: fake.fetch,
    clock,
    idleRenewMs: 600_000,
    onEvent: (e) => events.push(e),
  });
  await client.getTask('task-1');
  await clock.advance(599_999);
  await client.getTask('task-1');
  assert.is(fake.logons(), 1);
  await clock.advance(600_000);
  await client.getTask('task-1');
  assert.is(fake.logons(), 2);
  assert.equal(
    events.filter((e) => e.type === 'logon').map((e) => e.type === 'logon' && e.reason),
    ['initial', 'idle'],
  );
  // The request itself went out once, with the new token: no 401 round trip.
  assert.equal(
    fake.calls.map((c) => c.headers['x-restsvcsessionid']),
    ['token-1', 'token-1', 'token-2'],
  );
});

test('logout never throws: a failed DELETE is reported as an event', async () => {
  const { events, client } = setup((s) => (s.method === 'DELETE' ? netError('ECONNREFUSED') : xml(taskXml('t'))), undefined, {
    retry: { attempts: 2 },
  });
  await client.logon();
  await client.logout();
  const logout = events.find((e) => e.type === 'logout');
  assert.ok(logout && logout.type === 'logout' && logout.error?.includes('ECONNREFUSED'));
});

test('base URL: every spelling reaches https://em:9398/api/…', async () => {
  for (const url of ['https://em:9398', 'https://em:9398/', 'https://em:9398/api', 'https://em:9398/api/', 'https://em:9398/API']) {
    const { em, client } = setup(() => xml(taskXml('task-1')), undefined, { url });
    await client.getTask('task-1');
    assert.equal(
      em.seen.map((s) => s.url.replace('/API/', '/api/')),
      ['https://em:9398/api/sessionMngr/?v=latest', 'https://em:9398/api/tasks/task-1'],
      url,
    );
  }
  assert.is(normalizeBaseUrl('https://proxy.example/em'), 'https://proxy.example/em/api/');
  assert.throws(
    () => normalizeBaseUrl('em01:9398'),
    (e: unknown) => e instanceof UsageError,
  );
  assert.throws(
    () => normalizeBaseUrl('not a url'),
    (e: unknown) => e instanceof UsageError && /https:\/\/em01:9398/.test((e as Error).message),
  );
  assert.throws(
    () => normalizeBaseUrl(`https://dr:${PASSWORD}@em:9398`),
    (e: unknown) => e instanceof UsageError && !(e as Error).message.includes(PASSWORD),
  );
});

test('hrefs EM returns are followed relative to our base (EM may name itself localhost)', () => {
  assert.is(relativePath('https://localhost:9398/api/restoreSessions/abc?format=Entity'), '/restoreSessions/abc?format=Entity');
  assert.is(relativePath('/api/tasks/task-1'), '/tasks/task-1');
  assert.is(relativePath('tasks/task-1'), '/tasks/task-1');
});

test('no secret in any event or error produced above', () => {
  assert.ok(audit.observed.length > 10);
  assert.equal(audit.leaks([PASSWORD, TOKEN, 'token-1', 'token-2', BASIC.slice(6)]), []);
});

test.run();
