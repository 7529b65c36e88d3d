// Answers that are not (complete) EM answers: oversized, stalled or unreadable bodies,
// HTML from a proxy, redirects. Each ends in a typed error naming the request, and an
// unreadable answer to a failover EM accepted is "outcome unknown", never "failed".
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock } from '../engine/clock.js';
import { createClient } from '../engine/api/client.js';
import type { ClientOptions } from '../engine/api/types.js';
import { EmHttpError, EmMalformedResponseError, EmTimeoutError, OutcomeUnknownError } from '../engine/errors.js';
import { rejectionRecorder, scriptedClient } from './helpers/api-setup.js';
import { PASSWORD, TOKEN, fakeEm, logonOk, secretAudit, taskXml, xml, xmlError, type Responder } from './helpers/api-fake-em.js';

const audit = secretAudit();
const SPEC = { restoreCurrent: true, restoreCurrentVss: false };

// Events are not audited here (only errors are).
function setup(responder: Responder, extra: Partial<ClientOptions> = {}) {
  const { em, client } = scriptedClient(responder, { url: 'https://em:9398', extra });
  return { em, client };
}

const rejects = rejectionRecorder(audit);

/** A body streamed in 16 KiB chunks, counting what the client pulled and whether it cancelled. */
function streamed(totalBytes: number, headers: Record<string, string> = {}) {
  const state = { pulled: 0, cancelled: false };
  const chunk = new Uint8Array(16 * 1024).fill(0x41);
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (state.pulled >= totalBytes) return controller.close();
        state.pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  const response = () => new Response(body, { status: 200, headers: { 'Content-Type': 'application/xml', ...headers } });
  return { state, response };
}

test('B5: a body past maxBodyBytes is not read further: stream cancelled, EmMalformedResponseError, not retried', async () => {
  const big = streamed(4 * 1024 * 1024);
  const { em, client } = setup(() => big.response(), { maxBodyBytes: 64 * 1024 });
  const error = await rejects(client.getTask('task-1'));
  assert.instance(error, EmMalformedResponseError);
  assert.match(error.message, 'GET /tasks/task-1 → 200');
  assert.match(error.message, 'response body larger than 64 KiB');
  assert.ok(big.state.cancelled, 'the stream was cancelled');
  assert.ok(big.state.pulled <= 128 * 1024, `pulled ${big.state.pulled} bytes of 4 MiB`);
  assert.is(em.calls.length, 1);
});

test('B5: a Content-Length above the cap fails before reading; the default cap is 16 MiB', async () => {
  const announced = streamed(1024, { 'Content-Length': String(17 * 1024 * 1024) });
  const { client } = setup(() => announced.response());
  const error = await rejects(client.listTasks());
  assert.instance(error, EmMalformedResponseError);
  assert.match(error.message, 'GET /tasks → 200');
  assert.match(error.message, 'response body larger than 16 MiB');
  assert.is(announced.state.pulled, 0);
});

test('B5: a body of exactly maxBodyBytes is read normally', async () => {
  // The cap must also fit the logon answer: pad the tasks list to the same size.
  const cap = (await logonOk().text()).length;
  const body = `<Tasks xmlns="http://www.veeam.com/ent/v1.0"></Tasks>`.padEnd(cap, ' ');
  const { client } = setup(() => new Response(body, { headers: { 'Content-Type': 'application/xml' } }), { maxBodyBytes: cap });
  assert.equal(await client.listTasks(), []);
});

/** Headers and the first bytes of a body, then silence (never closes). */
function stalled(status: number) {
  const state = { cancelled: false };
  const response = () =>
    new Response(
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('<?xml version="1.0"?><Task xmlns="http://www.veeam.com/ent/v1.0"><Task'));
        },
        cancel() {
          state.cancelled = true;
        },
      }),
      { status, headers: { 'Content-Type': 'application/xml' } },
    );
  return { state, response };
}

test('B7: a body that stalls after the headers times out (EmTimeoutError naming the status), retried then final', async () => {
  const stall = stalled(200);
  const { em, client } = setup(() => stall.response(), { timeoutMs: 20, retry: { attempts: 2 } });
  const error = await rejects(client.getTask('task-1'));
  assert.instance(error, EmTimeoutError);
  assert.match(error.message, 'GET /tasks/task-1 → 200 OK: the body of the answer did not complete within 20 ms');
  assert.is(em.calls.length, 2);
  assert.ok(stall.state.cancelled, 'the stalled stream was cancelled');
});

test('B7: a failover 202 whose body stalls is outcome unknown naming the VM, sent once', async () => {
  const stall = stalled(202);
  const { em, client } = setup(() => stall.response(), { timeoutMs: 20 });
  const error = await rejects(client.failoverCdpVm('r1', 'v1', SPEC, { subject: 'VM "erp-db01"' }));
  assert.instance(error, OutcomeUnknownError);
  assert.match(error.message, /^VM "erp-db01": POST \/cdpReplicas\/r1\/vms\/v1\?action=failover → 202 Accepted: outcome unknown/);
  assert.is(em.calls.length, 1);
});

test("B7: an abort by the caller while the body is read is the caller's reason, not a timeout", async () => {
  const stall = stalled(200);
  const controller = new AbortController();
  const { client } = setup(
    () => {
      setImmediate(() => controller.abort(new Error('stopped by user')));
      return stall.response();
    },
    { timeoutMs: 60_000 },
  );
  const error = await rejects(client.getTask('task-1', { signal: controller.signal }));
  assert.is(error.message, 'stopped by user');
});

test('B3: a 2xx answer to a mutating call whose body cannot be read is outcome unknown naming the subject, sent once', async () => {
  const half = taskXml('task-9').slice(0, 60);
  const cases: Array<{
    name: string;
    reply: () => Response;
    run: (c: ReturnType<typeof setup>['client']) => Promise<unknown>;
    why: string;
  }> = [
    {
      name: 'malformed XML on failover 202',
      reply: () => xml('<Task><TaskId>t', 202),
      run: (c) => c.failoverCdpVm('r1', 'v1', SPEC, { subject: 'VM "a"' }),
      why: 'malformed XML',
    },
    {
      name: 'truncated XML on vApp failover 202',
      reply: () => xml(half, 202),
      run: (c) => c.failoverVapp('va', SPEC, { subject: 'VM "a"' }),
      why: 'malformed XML',
    },
    {
      name: 'truncated JSON on plan start 202',
      reply: () => new Response('{"TaskId":"task-9","Sta', { status: 202, headers: { 'Content-Type': 'application/json' } }),
      run: (c) => c.startFailoverPlan('p1', { startNow: true }, { subject: 'VM "a"' }),
      why: 'malformed JSON',
    },
    {
      name: 'empty body on plan undo 202',
      reply: () => xml('', 202),
      run: (c) => c.undoFailoverPlan('p1', { subject: 'VM "a"' }),
      why: 'empty body',
    },
    {
      name: 'wrong root on replica point failover 200',
      reply: () => xml('<LogonSession xmlns="http://www.veeam.com/ent/v1.0"/>'),
      run: (c) => c.failoverReplicaPoint('rp1', { subject: 'VM "a"' }),
      why: 'expected <Task>, got <LogonSession>',
    },
    {
      name: 'Task without TaskId via the low-level call',
      reply: () => xml('<Task xmlns="http://www.veeam.com/ent/v1.0"><State>Running</State></Task>', 202),
      run: (c) => c.call({ method: 'POST', path: '/failoverPlans/p1?action=undo', mutating: true }, { subject: 'VM "a"' }),
      why: 'Task has no TaskId',
    },
  ];
  for (const k of cases) {
    const { em, client } = setup(k.reply);
    const error = await rejects(k.run(client));
    assert.instance(error, OutcomeUnknownError, k.name);
    assert.is((error as OutcomeUnknownError).subject, 'VM "a"', k.name);
    assert.match(error.message, /^VM "a": POST \/\S+ → 20[02] \w+: outcome unknown \(accepted, but the answer could not be read: /, k.name);
    assert.match(error.message, k.why, k.name);
    assert.match(error.message, 'not sent again', k.name);
    assert.is(em.calls.length, 1, `${k.name}: sent once`);
  }
});

test('B3: the same unreadable body on a read-only call stays EmMalformedResponseError', async () => {
  const { client } = setup(() => xml('<Task><TaskId>t', 200));
  const error = await rejects(client.getTask('t'));
  assert.instance(error, EmMalformedResponseError);
  assert.not.instance(error, OutcomeUnknownError);
});

const HTML = '<!DOCTYPE html><html><body><h1>Proxy login</h1></body></html>';
const html = (status = 200) => new Response(HTML, { status, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
const GUID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

test('B6: an HTML page answering logon is EmMalformedResponseError naming the request and the type, sent once', async () => {
  const em = fakeEm(
    () => xml(''),
    () => html(),
  );
  const client = createClient({
    url: 'https://em:9398',
    username: 'dr',
    password: PASSWORD,
    fetch: em.fetch,
    clock: new FakeClock({ auto: true }),
  });
  const error = await rejects(client.logon());
  assert.instance(error, EmMalformedResponseError);
  assert.match(
    error.message,
    'POST /sessionMngr/?v=latest → 200 OK: not an Enterprise Manager answer (Content-Type "text/html; charset=utf-8")',
  );
  assert.is(em.seen.length, 1);
});

test('B6: an HTML page is never an empty list nor "not found": find* rejects (query, list fallback, by id)', async () => {
  const query = setup(() => html());
  assert.instance(await rejects(query.client.findCdpReplica('C')), EmMalformedResponseError);
  // The query type is unknown (EM's 404), and the fallback list is answered by a portal.
  const fallback = setup((s) => (s.path.startsWith('/api/query') ? xmlError(404, 'unknown type') : html()));
  const error = await rejects(fallback.client.findCdpReplica('C'));
  assert.instance(error, EmMalformedResponseError);
  assert.match(error.message, 'GET /cdpReplicas → 200 OK: not an Enterprise Manager answer');
  // A proxy's 404 page for an id is not EM saying "no such replica".
  const byId = setup(() => html(404));
  const notFound = await rejects(byId.client.findCdpReplica(GUID));
  assert.instance(notFound, EmMalformedResponseError);
  assert.match(notFound.message, `GET /cdpReplicas/${GUID}?format=Entity → 404 Not Found: not an Enterprise Manager answer`);
  for (const find of [
    (c: ReturnType<typeof setup>['client']) => c.findFailoverPlan('P'),
    (c: ReturnType<typeof setup>['client']) => c.findVappCdpReplica('V'),
  ]) {
    assert.instance(await rejects(find(setup(() => html()).client)), EmMalformedResponseError);
  }
});

test('B6: a collection of the wrong shape is malformed, not empty (XML root, JSON keys)', async () => {
  const xmlRoot = setup(() => xml('<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>'));
  const a = await rejects(xmlRoot.client.listCdpReplicas());
  assert.instance(a, EmMalformedResponseError);
  assert.match(a.message, 'got <html>');
  const jsonShape = setup(() => new Response('{"login":"required"}', { headers: { 'Content-Type': 'application/json' } }), {
    media: 'json',
  });
  const b = await rejects(jsonShape.client.listTasks());
  assert.instance(b, EmMalformedResponseError);
  assert.match(b.message, 'expected a collection');
  // A real empty collection is still empty.
  const empty = setup(() => new Response('{"Refs":[]}', { headers: { 'Content-Type': 'application/json' } }), { media: 'json' });
  assert.equal(await empty.client.listFailoverPlans(), []);
});

test('B6: EM media types with parameters are accepted; an empty 204 needs no Content-Type', async () => {
  for (const type of ['application/xml; charset=utf-8', 'text/xml', 'APPLICATION/XML']) {
    const { client } = setup(() => new Response(taskXml('task-1'), { headers: { 'Content-Type': type } }));
    assert.is((await client.getTask('task-1')).taskId, 'task-1', type);
  }
  const { client } = setup(() => new Response(null, { status: 204 }));
  await client.deleteTask('task-1');
  // A byte body gets no default Content-Type: a body without one is not EM's.
  const untyped = setup(() => new Response(new TextEncoder().encode(taskXml('task-1'))));
  const error = await rejects(untyped.client.getTask('task-1'));
  assert.instance(error, EmMalformedResponseError);
  assert.match(error.message, 'not an Enterprise Manager answer (no Content-Type)');
});

test('B6: a portal page answering a failover POST (2xx or error) is outcome unknown, sent once', async () => {
  for (const status of [200, 404]) {
    const { em, client } = setup(() => html(status));
    const error = await rejects(client.failoverCdpVm('r1', 'v1', SPEC, { subject: 'VM "a"' }));
    assert.instance(error, OutcomeUnknownError, String(status));
    assert.match(error.message, 'not an Enterprise Manager answer (Content-Type "text/html; charset=utf-8")');
    assert.is(em.calls.length, 1);
  }
});

test('redirects are not followed: a 3xx is EmHttpError naming the Location, sent once, not retried', async () => {
  for (const [name, run] of [
    ['GET', (c: ReturnType<typeof setup>['client']) => c.getTask('task-1')],
    ['failover POST', (c: ReturnType<typeof setup>['client']) => c.failoverCdpVm('r1', 'v1', SPEC)],
  ] as const) {
    const em = fakeEm(() => new Response(null, { status: 302, headers: { Location: 'https://portal.example/login' } }));
    const redirects: string[] = [];
    const watched = createClient({
      url: 'https://em:9398',
      username: 'dr',
      password: PASSWORD,
      clock: new FakeClock({ auto: true }),
      fetch: (async (input: Request) => {
        redirects.push(input.redirect);
        return em.fetch(input);
      }) as typeof fetch,
    });
    const error = await rejects(run(watched));
    assert.instance(error, EmHttpError, name);
    assert.match(
      error.message,
      '→ 302 Found: redirected to https://portal.example/login; Enterprise Manager never redirects API calls',
      name,
    );
    assert.is(em.calls.length, 1, name);
    assert.ok(redirects.length > 0 && redirects.every((r) => r === 'manual'), `${name}: ${redirects.join()}`);
  }
});

test('no secret in any error produced above', () => {
  assert.ok(audit.observed.length > 0);
  assert.equal(audit.leaks([PASSWORD, TOKEN]), []);
});

test.run();
