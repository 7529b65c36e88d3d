// The transport's own fetch (node:http under ky) against a real server on 127.0.0.1: what
// reaches the wire, what comes back, connection reuse, the body cap, aborts and statuses
// fetch cannot represent. Hostile servers (garbage, stalls, 100 MB) are hostile-server.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { systemClock } from '../engine/clock.js';
import { createTransport, type Exchange } from '../engine/api/transport.js';
import { createNodeFetch } from '../engine/api/node-fetch.js';
import { taskXml } from './helpers/api-fake-em.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  socket: Socket;
}

let server: Server;
let base = '';
const seen: Seen[] = [];
let handler: (req: IncomingMessage, res: ServerResponse, body: string) => void = () => {};

test.before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, socket: req.socket });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  base = `http://127.0.0.1:${address.port}/api/`;
});

test.after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test.before.each(() => {
  seen.length = 0;
});

const transport = (maxBodyBytes = 1 << 20, timeoutMs = 5_000) =>
  createTransport({ baseUrl: base, timeoutMs, maxBodyBytes, clock: systemClock });

function response(exchange: Exchange) {
  if (exchange.kind !== 'response') throw new Error(`expected a response, got ${JSON.stringify(exchange)}`);
  return exchange;
}

test('a GET: path, query and headers reach the wire; status, headers and the decoded body come back', async () => {
  handler = (_req, res) => {
    res.setHeader('Set-Cookie', ['a=1', 'b=2']);
    res.writeHead(200, { 'Content-Type': 'application/xml; charset=utf-8' }).end(taskXml('task-7', 'Running'));
  };
  const got = response(
    await transport().send({
      method: 'GET',
      path: '/tasks/task-7?format=Entity',
      headers: { Accept: 'application/xml', 'X-RestSvcSessionId': 'tok' },
    }),
  );
  assert.is(seen[0]?.method, 'GET');
  assert.is(seen[0]?.url, '/api/tasks/task-7?format=Entity');
  assert.is(seen[0]?.headers.accept, 'application/xml');
  assert.is(seen[0]?.headers['x-restsvcsessionid'], 'tok');
  assert.is(got.status, 200);
  assert.is(got.statusText, 'OK');
  assert.is(got.headers.getSetCookie().join(' '), 'a=1 b=2');
  assert.is(got.doc?.root, 'Task');
  assert.is(got.doc?.body.TaskId, 'task-7');
});

test('a POST body is sent whole with its Content-Type and Content-Length (in bytes, not characters)', async () => {
  handler = (_req, res) => res.writeHead(202, { 'Content-Type': 'application/xml' }).end(taskXml('task-8', 'Running'));
  const body =
    '<?xml version="1.0" encoding="utf-8"?>\n<CdpFailoverStartSpec xmlns="http://www.veeam.com/ent/v1.0"><RestoreCurrent>true</RestoreCurrent><!-- Größe → 🗄 --></CdpFailoverStartSpec>\n';
  const got = response(
    await transport().send({
      method: 'POST',
      path: '/cdpReplicas/r1/vms/v1?action=failover',
      headers: { 'Content-Type': 'application/xml', Accept: 'application/xml' },
      body,
    }),
  );
  assert.is(got.status, 202);
  assert.is(seen.length, 1, 'sent once');
  assert.is(seen[0]?.body, body);
  assert.is(seen[0]?.headers['content-type'], 'application/xml');
  assert.is(seen[0]?.headers['content-length'], String(Buffer.byteLength(body)));
});

test('the fetch is a plain fetch: path and query sent (never the fragment), the body on the Response; other protocols and credentials in the URL refused', async () => {
  handler = (_req, res) => res.writeHead(200, { 'Content-Type': 'application/xml' }).end(taskXml('task-9', 'Running'));
  const fetch = createNodeFetch({});
  const got = await fetch(`${base}tasks?format=Entity#x`, { signal: new AbortController().signal });
  assert.is(got.status, 200);
  assert.is(await got.text(), taskXml('task-9', 'Running'));
  assert.is(seen[0]?.url, '/api/tasks?format=Entity');
  const refusal = (url: string) =>
    fetch(url).then(
      () => 'sent',
      (error: Error) => error.message,
    );
  assert.match(await refusal('ftp://em01/api/'), /unsupported protocol ftp:/);
  assert.match(await refusal(base.replace('http://', 'http://u:p@')), /credentials/);
  assert.is(seen.length, 1, 'nothing sent for the refused ones');
});

test('sequential requests reuse one keep-alive connection', async () => {
  handler = (_req, res) => res.writeHead(204).end();
  const t = transport();
  for (let i = 0; i < 5; i++) assert.is(response(await t.send({ method: 'DELETE', path: `/tasks/task-${i}`, headers: {} })).status, 204);
  assert.is(seen.length, 5);
  assert.is(new Set(seen.map((s) => s.socket)).size, 1);
});

test('a body over the cap is not read on, whether announced or chunked', async () => {
  handler = (req, res) => {
    if (req.url?.endsWith('announced')) {
      res.writeHead(200, { 'Content-Type': 'application/xml', 'Content-Length': '5000' }).end('x'.repeat(5000));
    } else {
      res.writeHead(200, { 'Content-Type': 'application/xml' });
      res.write(`<Tasks>${'y'.repeat(3000)}`);
      res.end('</Tasks>');
    }
  };
  for (const path of ['/announced', '/chunked']) {
    const got = response(await transport(1024).send({ method: 'GET', path, headers: {} }));
    assert.is(got.doc, undefined);
    assert.match(String(got.decodeError), 'larger than 1 KiB');
  }
});

test('the caller aborting mid-request gives aborted with its reason; the deadline gives timeout', async () => {
  handler = () => {}; // never answers
  const run = new AbortController();
  const pending = transport().send({ method: 'GET', path: '/tasks', headers: {}, signal: run.signal });
  await new Promise((resolve) => setTimeout(resolve, 20));
  run.abort(new Error('interrupted'));
  const aborted = await pending;
  assert.is(aborted.kind, 'aborted');
  assert.is(aborted.kind === 'aborted' && (aborted.reason as Error).message, 'interrupted');
  const timedOut = await transport(1024, 50).send({ method: 'GET', path: '/tasks', headers: {} });
  assert.is(timedOut.kind, 'timeout');
});

test('a status fetch cannot represent is a protocol error, not a crash', async () => {
  handler = (_req, res) => res.writeHead(999, 'Odd').end();
  const got = await transport().send({ method: 'GET', path: '/tasks', headers: {} });
  assert.equal(got.kind === 'network' ? got.code : got.kind, 'EPROTO');
});

test('a connection closed mid-body is a network error', async () => {
  handler = (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/xml', 'Content-Length': '1000' });
    res.write('<Tasks>');
    setTimeout(() => res.socket?.destroy(), 10);
  };
  const got = await transport().send({ method: 'GET', path: '/tasks', headers: {} });
  assert.is(got.kind, 'network');
});

test.run();
