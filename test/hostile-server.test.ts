// The EM client (engine/api createClient) and `runbook plan --server` against a hostile
// server on 127.0.0.1: garbage, 100 MB bodies, truncated and stalled bodies, HTML, redirect
// loops, silence. Each must end in a clean typed error naming the request, with bounded
// requests, bounded memory and the request timeout honoured. Retry sleeps run on a FakeClock.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClient } from '../engine/api/client.js';
import { FakeClock } from '../engine/clock.js';
import { EmMalformedResponseError, EmNetworkError, EmTimeoutError, EmHttpError, type EmError } from '../engine/errors.js';
import { startHostileServer, type HostileMode } from './drills/hostile-server.js';
import { seededRandom } from '../engine/simulator/ids.js';
import { publishTable, renderTable, type Row } from './drills/table.js';
import { runCli } from './helpers/cli.js';

const PASSWORD = 'h0stile-Pa55';
const TIMEOUT_MS = 300;
/** A safety net only (no timing assertion): far above TIMEOUT_MS × attempts. */
const GUARD_MS = 3_000;
const rows: Row[] = [];

type ErrorClass = new (...args: never[]) => EmError;
const CASES: Array<{ mode: HostileMode; expect: ErrorClass[]; maxRequests: number }> = [
  { mode: 'garbage', expect: [EmMalformedResponseError], maxRequests: 1 },
  { mode: 'html', expect: [EmMalformedResponseError], maxRequests: 1 },
  { mode: 'huge', expect: [EmMalformedResponseError], maxRequests: 5 },
  { mode: 'truncated', expect: [EmNetworkError, EmMalformedResponseError], maxRequests: 5 },
  { mode: 'stall-mid-body', expect: [EmTimeoutError], maxRequests: 5 },
  { mode: 'redirect-loop', expect: [EmNetworkError, EmHttpError], maxRequests: 5 * 21 },
  { mode: 'never', expect: [EmTimeoutError], maxRequests: 5 },
];

function memory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

for (const c of CASES) {
  test(`client vs a server that answers "${c.mode}": ${c.expect.map((e) => e.name).join(' or ')}, ≤ ${c.maxRequests} requests`, async () => {
    const server = await startHostileServer(c.mode);
    const cells: Record<string, string> = {};
    let peak = 0;
    const base = memory();
    const sampler = setInterval(() => (peak = Math.max(peak, memory() - base)), 10);
    let guard: NodeJS.Timeout | undefined;
    try {
      const client = createClient({
        url: server.url,
        username: 'u',
        password: PASSWORD,
        clock: new FakeClock({ auto: true }),
        timeoutMs: TIMEOUT_MS,
        random: seededRandom(1),
      });
      const outcome = await Promise.race([
        client.logon().then(
          () => ({ error: undefined as unknown, hung: false }),
          (error: unknown) => ({ error, hung: false }),
        ),
        new Promise<{ error: unknown; hung: boolean }>(
          (resolve) => (guard = setTimeout(() => resolve({ error: undefined, hung: true }), GUARD_MS)),
        ),
      ]);
      peak = Math.max(peak, memory() - base);
      const { error } = outcome;
      cells.typed = outcome.hung
        ? 'HUNG'
        : c.expect.some((k) => error instanceof k)
          ? (error as Error).name
          : `FAIL ${(error as Error | undefined)?.name ?? 'no error'}`;
      cells.requests = `${server.requests}`;
      cells['heap MB'] = (peak / 2 ** 20).toFixed(0);
      cells['sent MB'] = (server.bytesSent / 2 ** 20).toFixed(1);
      assert.not.ok(outcome.hung, `the client did not give up within ${GUARD_MS} ms (request timeout ${TIMEOUT_MS} ms)`);
      assert.ok(
        c.expect.some((k) => error instanceof k),
        `got ${String(error)}`,
      );
      const message = (error as Error).message;
      assert.match(message, 'POST /sessionMngr/?v=latest');
      assert.not.ok(message.includes(PASSWORD) || message.includes('Basic '), 'no secret in the message');
      assert.ok(server.requests >= 1 && server.requests <= c.maxRequests, `${server.requests} requests`);
      if (c.mode === 'huge') {
        // Bounded memory: a 100 MB body must not be buffered whole (nor fully downloaded).
        assert.ok(
          peak < 50 * 2 ** 20,
          `heap grew ${(peak / 2 ** 20).toFixed(0)} MB while reading a 100 MB body: no body size cap in the client`,
        );
      }
    } finally {
      clearInterval(sampler);
      clearTimeout(guard);
      await server.close();
      rows.push({ fault: c.mode, cells });
    }
  });
}

for (const mode of ['garbage', 'html'] as const) {
  test(`runbook plan --server against "${mode}": a clean message naming the request, no stack trace`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hostile-'));
    writeFileSync(
      join(dir, 'pb.yaml'),
      'version: 1\nname: hostile\nserver: {timeout: 500ms}\nsteps:\n  - id: db\n    failover: {cdpReplica: C, vms: [a]}\n',
    );
    const server = await startHostileServer(mode);
    try {
      const r = await runCli(['plan', join(dir, 'pb.yaml'), '--server', server.url], {
        env: { VEEAM_EM_USERNAME: 'u', VEEAM_EM_PASSWORD: PASSWORD },
      });
      assert.not.match(r.stderr, /\n\s+at |internal error/);
      assert.not.ok((r.stdout + r.stderr).includes(PASSWORD));
      // An answer that is not EM's must never read as "the replica does not exist" (exit 3).
      assert.ok(r.code === 1 || r.code === 4, `exit ${String(r.code)}: ${r.stderr}`);
      assert.match(r.stderr, /^runbook: POST \/sessionMngr\/\?v=latest → 20[01] /);
      assert.is(server.requests, 1);
    } finally {
      await server.close();
    }
  });
}

test.after(() => {
  publishTable(
    'runbook-hostile-server',
    renderTable(`Hostile server (request timeout ${TIMEOUT_MS} ms)`, ['typed', 'requests', 'heap MB', 'sent MB'], rows),
  );
});

test.run();
