// Answers that are not EM's: an HTML page from a proxy or portal (on logon, find*, a
// failover POST), collections of the wrong shape, media types, and redirects. Each ends in a
// typed error naming the request; a failover POST answered so is "outcome unknown", sent once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock } from '../engine/clock.js';
import { createClient } from '../engine/api/client.js';
import { EmHttpError, EmMalformedResponseError, OutcomeUnknownError } from '../engine/errors.js';
import { SPEC, errorsAuditedClient as setup, rejectionRecorder } from './helpers/api-setup.js';
import { PASSWORD, TOKEN, fakeEm, secretAudit, taskXml, xml, xmlError } from './helpers/api-fake-em.js';

const audit = secretAudit();
const rejects = rejectionRecorder(audit);

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
