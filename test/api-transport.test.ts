// Retries, backoff, classification and the never-twice rule, against a scripted fetch
// (transport faults the simulator cannot produce in-process). Delays run on a FakeClock.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ClientEvent, ClientOptions } from '../engine/api/types.js';
import { EmHttpError, EmMalformedResponseError, EmNetworkError, EmTimeoutError, OutcomeUnknownError } from '../engine/errors.js';
import { rejectionRecorder, scriptedClient } from './helpers/api-setup.js';
import { PASSWORD, TOKEN, jsonError, netError, secretAudit, taskXml, xml, xmlError, type Responder } from './helpers/api-fake-em.js';

const audit = secretAudit();
const SPEC = { restoreCurrent: true, restoreCurrentVss: false };
const FAILOVER_SUBJECT = 'VM "erp-db01"';

const setup = (responder: Responder, extra: Partial<ClientOptions> = {}) =>
  scriptedClient(responder, { url: 'https://em:9398', audit, extra });

const rejects = rejectionRecorder(audit);

const retries = (events: ClientEvent[]) => events.filter((e) => e.type === 'retry');

test('GET retries 503 with exponential backoff and jitter on the clock, then succeeds', async () => {
  const { em, clock, events, client } = setup((_, n) => (n <= 3 ? xmlError(503, 'busy') : xml(taskXml('task-1'))));
  const task = await client.getTask('task-1');
  assert.is(task.taskId, 'task-1');
  assert.is(em.calls.length, 4);
  // base 500·2^(n-1), half fixed + half × random(0.5): 375, 750, 1500
  assert.equal(
    retries(events).map((e) => e.type === 'retry' && e.delayMs),
    [375, 750, 1500],
  );
  assert.equal(
    retries(events).map((e) => e.type === 'retry' && e.attempt),
    [2, 3, 4],
  );
  assert.is(clock.now(), 375 + 750 + 1500);
});

test('jitter comes from the injected random', async () => {
  const { events, client } = setup((_, n) => (n === 1 ? xmlError(502, 'bad gateway') : xml(taskXml('task-1'))), { random: () => 1 });
  await client.getTask('task-1');
  assert.equal(
    retries(events).map((e) => e.type === 'retry' && e.delayMs),
    [500],
  );
});

test('429 honours Retry-After (seconds), capped by maxRetryAfterMs', async () => {
  const { clock, events, client } = setup(
    (_, n) =>
      n === 1
        ? new Response('', { status: 429, headers: { 'Retry-After': '3' } })
        : n === 2
          ? new Response('', { status: 429, headers: { 'Retry-After': '3600' } })
          : xml(taskXml('task-2')),
    { retry: { maxRetryAfterMs: 5000 } },
  );
  await client.getTask('task-2');
  assert.equal(
    retries(events).map((e) => e.type === 'retry' && e.delayMs),
    [3000, 5000],
  );
  assert.is(clock.now(), 8000);
});

test('attempts are bounded; the final error says status, EM message and retries', async () => {
  const { em, client } = setup(() => xmlError(503, 'Service is in maintenance'), { retry: { attempts: 3 } });
  const error = await rejects(client.getTask('task-1'));
  assert.instance(error, EmHttpError);
  assert.is(em.calls.length, 3);
  assert.is((error as EmHttpError).status, 503);
  assert.is((error as EmHttpError).emMessage, 'Service is in maintenance');
  assert.match(error.message, 'GET /tasks/task-1 → 503');
  assert.match(error.message, '("Service is in maintenance")');
  assert.match(error.message, 'retried 2 times');
});

test('total retry time is bounded by maxTotalMs', async () => {
  const { em, clock, client } = setup(() => xmlError(504, 'gateway timeout'), {
    retry: { attempts: 50, minDelayMs: 1000, maxDelayMs: 1000, maxTotalMs: 4000 },
  });
  await rejects(client.getTask('task-1'));
  // random 0.5 → 750 ms per retry; the fifth would end past 4000 ms.
  assert.is(em.calls.length, 6);
  assert.ok(clock.now() <= 4000);
});

for (const [status, message] of [
  [400, 'Node [root] does not exist.'],
  [403, 'Access denied'],
  [404, 'Cannot find task [task-9]'],
] as const) {
  test(`${status} is never retried and carries EM's message (XML and JSON)`, async () => {
    for (const media of ['xml', 'json'] as const) {
      const { em, client } = setup(() => (media === 'xml' ? xmlError(status, message) : jsonError(status, message)), { media });
      const error = await rejects(client.getTask('task-9'));
      assert.instance(error, EmHttpError);
      assert.is(em.calls.length, 1);
      assert.is((error as EmHttpError).status, status);
      assert.is((error as EmHttpError).emMessage, message);
      assert.match(error.message, `GET /tasks/task-9 → ${status}`);
    }
  });
}

test('GET retries refused connections and resets', async () => {
  const { em, client } = setup((_, n) => (n === 1 ? netError('ECONNREFUSED') : n === 2 ? netError('ECONNRESET') : xml(taskXml('task-1'))));
  await client.getTask('task-1');
  assert.is(em.calls.length, 3);
});

test('network errors exhausted become EmNetworkError with the code', async () => {
  const { client } = setup(() => netError('ECONNRESET'), { retry: { attempts: 2 } });
  const error = await rejects(client.getTask('task-1'));
  assert.instance(error, EmNetworkError);
  assert.is((error as EmNetworkError).code, 'ECONNRESET');
});

test('certificate errors are not retried and say how to fix it', async () => {
  const { em, client } = setup(() => netError('UNABLE_TO_VERIFY_LEAF_SIGNATURE'));
  const error = await rejects(client.getTask('task-1'));
  assert.instance(error, EmNetworkError);
  assert.is(em.calls.length, 1);
  assert.match(error.message, 'tls.caFile');
});

test('GET timeouts are retried, then EmTimeoutError', async () => {
  const { em, client } = setup(() => 'hang', { timeoutMs: 20, retry: { attempts: 2 } });
  const error = await rejects(client.getTask('task-1'));
  assert.instance(error, EmTimeoutError);
  assert.is(em.calls.length, 2);
  assert.match(error.message, 'no answer within 20 ms');
});

test('task DELETE with no answer: OutcomeUnknownError, sent once (a second one may meet the task finished)', async () => {
  const { em, client } = setup(() => 'hang', { timeoutMs: 20 });
  const error = await rejects(client.deleteTask('task-1'));
  assert.instance(error, OutcomeUnknownError);
  assert.is(em.calls.filter((c) => c.method === 'DELETE').length, 1);
});

test('failover POST reset after sending: OutcomeUnknownError naming the VM, sent once', async () => {
  const { em, events, client } = setup(() => netError('ECONNRESET'));
  const error = await rejects(client.failoverCdpVm('r1', 'v1', SPEC, { subject: FAILOVER_SUBJECT }));
  assert.instance(error, OutcomeUnknownError);
  assert.is(em.calls.filter((c) => c.method === 'POST').length, 1);
  assert.match(error.message, /^VM "erp-db01": POST \/cdpReplicas\/r1\/vms\/v1\?action=failover/);
  assert.match(error.message, 'not sent again');
  assert.is(retries(events).length, 0);
});

test('failover POST timeout: OutcomeUnknownError, sent once', async () => {
  const { em, client } = setup(() => 'hang', { timeoutMs: 20 });
  const error = await rejects(client.failoverCdpVm('r1', 'v1', SPEC, { subject: FAILOVER_SUBJECT }));
  assert.instance(error, OutcomeUnknownError);
  assert.is((error as OutcomeUnknownError).subject, FAILOVER_SUBJECT);
  assert.is(em.calls.length, 1);
});

test('failover POST behind a gateway 502/504 or a bare 503: outcome unknown, sent once', async () => {
  for (const reply of [
    () => new Response('Bad Gateway', { status: 502 }),
    () => new Response('', { status: 504 }),
    () => new Response('', { status: 503 }),
  ]) {
    const { em, client } = setup(reply);
    const error = await rejects(client.startFailoverPlan('p1', { startNow: true }, { subject: 'plan "DR"' }));
    assert.instance(error, OutcomeUnknownError);
    assert.is(em.calls.length, 1);
  }
});

test('failover POST refused: re-sent (EM never saw it), then the task', async () => {
  const { em, events, client } = setup((_, n) => (n <= 2 ? netError('ECONNREFUSED') : xml(taskXml('task-5'), 202)));
  const task = await client.failoverCdpVm('r1', 'v1', SPEC);
  assert.is(task.taskId, 'task-5');
  assert.is(em.calls.length, 3);
  assert.equal(
    retries(events).map((e) => e.type === 'retry' && e.reason),
    ['ECONNREFUSED', 'ECONNREFUSED'],
  );
});

test('failover POST 503 with an EM Error body: retried; 500 is final and not retried', async () => {
  const a = setup((_, n) => (n === 1 ? xmlError(503, 'Server is busy') : xml(taskXml('task-6'), 202)));
  assert.is((await a.client.failoverVapp('va', SPEC)).taskId, 'task-6');
  assert.is(a.em.calls.length, 2);
  const b = setup(() => xmlError(500, 'Object reference not set to an instance of an object.'));
  const error = await rejects(b.client.failoverVapp('va', SPEC));
  assert.instance(error, EmHttpError);
  assert.is(b.em.calls.length, 1);
});

test('intervals POST is read-only: retried on reset', async () => {
  const body =
    '<CdpReplicaIntervals xmlns="http://www.veeam.com/ent/v1.0"><StartDate>a</StartDate><EndDate>b</EndDate><HasApplicationConsistentState>false</HasApplicationConsistentState><Intervals/><RestorePoints/></CdpReplicaIntervals>';
  const { em, client } = setup((_, n) => (n === 1 ? netError('ECONNRESET') : xml(body)));
  const intervals = await client.cdpIntervals('r', 'v', 'a', 'b');
  assert.is(intervals.start, 'a');
  assert.is(em.calls.length, 2);
  assert.ok(em.calls.every((c) => c.headers['content-type'] === 'application/xml'));
});

test('an abort during backoff stops retrying with the signal reason', async () => {
  const controller = new AbortController();
  const { em, client } = setup(() => {
    queueMicrotask(() => controller.abort(new Error('stopped by user')));
    return xmlError(503, 'busy');
  });
  const error = await rejects(client.getTask('task-1', { signal: controller.signal }));
  assert.is(error.message, 'stopped by user');
  assert.is(em.calls.length, 1);
});

test('an abort that lands after EM accepted a failover still returns its task', async () => {
  const controller = new AbortController();
  const { em, client } = setup(() => {
    controller.abort(new Error('stopped by user'));
    return xml(taskXml('task-8'), 202);
  });
  const task = await client.failoverCdpVm('r1', 'v1', SPEC, { signal: controller.signal });
  assert.is(task.taskId, 'task-8');
  assert.is(em.calls.length, 1);
  // The next call does not start at all.
  assert.is((await rejects(client.getTask('task-8', { signal: controller.signal }))).message, 'stopped by user');
  assert.is(em.calls.length, 1);
});

test('malformed XML on 200 is EmMalformedResponseError naming the endpoint', async () => {
  const { client } = setup(() => xml('<Task><TaskId>task-1</TaskId>'));
  const error = await rejects(client.getTask('task-1'));
  assert.instance(error, EmMalformedResponseError);
  assert.match(error.message, 'GET /tasks/task-1 → 200');
  assert.match(error.message, 'malformed XML');
});

test('a wrong root is malformed too', async () => {
  const { client } = setup(() => xml('<Error Message="x" StatusCode="200"/>'));
  const error = await rejects(client.getTask('task-1'));
  assert.instance(error, EmMalformedResponseError);
  assert.match(error.message, 'expected <Task>, got <Error>');
});

test('exactly one Accept value; Content-Type only with a body; session header, never a cookie', async () => {
  for (const media of ['xml', 'json'] as const) {
    const { em, client } = setup(
      (s) =>
        s.method === 'POST'
          ? media === 'xml'
            ? xml(taskXml('task-1'), 202)
            : new Response(
                JSON.stringify({
                  TaskId: 'task-1',
                  State: 'Running',
                  Operation: 'StartFailover',
                  Links: [],
                  Href: 'https://em/api/tasks/task-1',
                  Type: 'Task',
                }),
                { status: 202, headers: { 'Content-Type': 'application/json' } },
              )
          : xml(taskXml('task-1')),
      { media },
    );
    await client.failoverCdpVm('r', 'v', SPEC);
    await client.undoFailoverPlan('p');
    const [logon, failover, undo] = em.seen;
    const accept = media === 'xml' ? 'application/xml' : 'application/json';
    for (const s of em.seen) assert.is(s.headers.accept, accept);
    assert.is(logon?.headers.authorization?.startsWith('Basic '), true);
    assert.is(failover?.headers['content-type'], accept);
    assert.is(undo?.headers['content-type'], undefined);
    for (const s of em.calls) {
      assert.is(s.headers['x-restsvcsessionid'], TOKEN);
      assert.is(s.headers.cookie, undefined);
      assert.is(s.headers.authorization, undefined);
    }
  }
});

test('no secret in any event or error produced above', () => {
  assert.ok(audit.observed.length > 20);
  assert.equal(audit.leaks([PASSWORD, TOKEN, Buffer.from(`dr:${PASSWORD}`).toString('base64')]), []);
});

test.run();
