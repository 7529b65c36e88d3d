// Diagnostic: CPU per request of the HTTP layer alone, 200 requests in flight on loopback
// against a trivial server in another process (its CPU is not counted). Compares the
// engine's transport (ky over node-fetch.ts + deadline + XML decoding) with ky over the
// global fetch, bare fetch and bare node:http, and takes the engine's apart (its fetch alone,
// with the decode, under ky). Run: node --import tsx test/bench/transport-cost.ts
// Not part of `npm run bench`: it sizes where the engine's per-request CPU goes.

import { fork } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setMaxListeners } from 'node:events';
import { Agent, request } from 'node:http';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import ky from 'ky';
import { systemClock } from '../../engine/clock.js';
import { createTransport } from '../../engine/api/transport.js';
import { decodeDocument } from '../../engine/api/document.js';
import { createNodeFetch } from '../../engine/api/node-fetch.js';

const BODY = `<?xml version="1.0" encoding="utf-8"?>\n<Task xmlns="http://www.veeam.com/ent/v1.0" Type="Task" Href="http://127.0.0.1/api/tasks/task-1">\n  <Links>\n    <Link Rel="Delete" Type="Task" Href="http://127.0.0.1/api/tasks/task-1" />\n  </Links>\n  <TaskId>task-1</TaskId>\n  <State>Running</State>\n  <Operation>CdpReplicaFailover</Operation>\n</Task>\n`;

const SERVER = `
const http = require('node:http');
const body = ${JSON.stringify(BODY)};
const server = http.createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200, { 'content-type': 'application/xml; charset=utf-8', 'content-length': Buffer.byteLength(body) }); res.end(body); }); });
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
`;

async function measure(name: string, total: number, inFlight: number, one: () => Promise<unknown>): Promise<void> {
  const run = async (n: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next++ < n) await one();
      }),
    );
  };
  await run(1000);
  let major = 0;
  let maxHeapTotal = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      if ((entry as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) major++;
  });
  observer.observe({ entryTypes: ['gc'] });
  const sampler = setInterval(() => (maxHeapTotal = Math.max(maxHeapTotal, process.memoryUsage().heapTotal)), 20);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run(total);
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - t0;
  clearInterval(sampler);
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  console.log(
    `${name.padEnd(44)} ${((cpu.user + cpu.system) / 1000 / total).toFixed(3)} ms CPU/request  ${(total / (wall / 1000)).toFixed(0).padStart(5)} req/s  ` +
      `${((major * 1000) / total).toFixed(2)} mark-compacts per 1,000 requests, heap up to ${Math.round(maxHeapTotal / 2 ** 20)} MB`,
  );
}

const serverFile = join(tmpdir(), `transport-cost-server-${process.pid}.cjs`);
writeFileSync(serverFile, SERVER);
const child = fork(serverFile, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const port = await new Promise<number>((resolve) => child.once('message', (p) => resolve(p as number)));
const base = `http://127.0.0.1:${port}/api/`;
const total = Number(process.argv[2] ?? 6000);
const headers = { Accept: 'application/xml', 'X-RestSvcSessionId': 'token' };
const runSignal = new AbortController().signal;
// As the engine does for its run signal: one listener per request in flight.
setMaxListeners(0, runSignal);
try {
  const transport = createTransport({ baseUrl: base, timeoutMs: 30_000, maxBodyBytes: 1 << 24, clock: systemClock });
  await measure('engine transport (ky+node:http, decode)', total, 200, () =>
    transport.send({ method: 'GET', path: '/tasks/task-1', headers, signal: runSignal }),
  );
  // The engine transport in parts: its fetch alone, with the XML decode, under ky; the decode alone.
  const nodeFetch = createNodeFetch({});
  const fetchText = async () => (await nodeFetch(`${base}tasks/task-1`, { headers })).text();
  await measure('node-fetch.ts alone (no ky, no decode)', total, 200, fetchText);
  await measure('node-fetch.ts + XML decode (no ky)', total, 200, async () => decodeDocument(await fetchText()));
  const kyNode = ky.create({ prefixUrl: base, timeout: false, retry: 0, throwHttpErrors: false, fetch: nodeFetch });
  await measure('ky over node-fetch.ts (no decode)', total, 200, async () =>
    (await kyNode('tasks/task-1', { headers, signal: new AbortController().signal, redirect: 'manual' })).text(),
  );
  await measure('XML decode of the Task alone', total, 1, async () => decodeDocument(BODY));
  const client = ky.create({ prefixUrl: base, timeout: false, retry: 0, throwHttpErrors: false });
  await measure('ky+global fetch, per-request signal, text()', total, 200, async () => {
    const c = new AbortController();
    return (await client('tasks/task-1', { headers, signal: c.signal, redirect: 'manual' })).text();
  });
  await measure('ky+global fetch, no signal, text()', total, 200, async () => (await client('tasks/task-1', { headers })).text());
  await measure('fetch, per-request signal, text()', total, 200, async () => {
    const c = new AbortController();
    return (await fetch(`${base}tasks/task-1`, { headers, signal: c.signal, redirect: 'manual' })).text();
  });
  await measure('fetch, no signal, text()', total, 200, async () => (await fetch(`${base}tasks/task-1`, { headers })).text());
  const agent = new Agent({ keepAlive: true, maxSockets: 200 });
  await measure(
    'node:http keep-alive agent',
    total,
    200,
    () =>
      new Promise((resolve, reject) => {
        const req = request(`${base}tasks/task-1`, { agent, headers }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.end();
      }),
  );
  agent.destroy();
  // Again, last: the first measure warms the process up (JIT, connections) for the others.
  await measure('engine transport, again', total, 200, () =>
    transport.send({ method: 'GET', path: '/tasks/task-1', headers, signal: runSignal }),
  );
} finally {
  child.kill();
  rmSync(serverFile, { force: true });
}
