// Answers that are not (complete) EM answers: oversized, stalled or unreadable bodies. Each
// ends in a typed error naming the request, and an unreadable answer to a failover EM
// accepted is "outcome unknown", never "failed". HTML from a proxy, wrong shapes and
// redirects are api-answers-not-em.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EmMalformedResponseError, EmTimeoutError, OutcomeUnknownError } from '../engine/errors.js';
import { SPEC, errorsAuditedClient as setup, rejectionRecorder } from './helpers/api-setup.js';
import { PASSWORD, TOKEN, logonOk, secretAudit, taskXml, xml } from './helpers/api-fake-em.js';

const audit = secretAudit();
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

test('no secret in any error produced above', () => {
  assert.ok(audit.observed.length > 0);
  assert.equal(audit.leaks([PASSWORD, TOKEN]), []);
});

test.run();
