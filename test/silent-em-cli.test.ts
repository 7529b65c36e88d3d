// An EM that accepts connections and never answers: the tool says it waits (naming host
// and port) and gives up with exit 4 (cannot reach EM), not silence and exit 1.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from './helpers/cli.js';

async function silentServer(): Promise<{ port: number; accepted: () => number; close: () => Promise<void> }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    accepted: () => sockets.length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

test('run (and so plan: the same logon path) against a server that accepts and never answers: "waiting for host:port", exit 4', async () => {
  const em = await silentServer();
  try {
    const dir = mkdtempSync(join(tmpdir(), 'silent-em-'));
    // A short request timeout keeps the test fast; the notice comes at a quarter of it.
    writeFileSync(
      join(dir, 'pb.yaml'),
      `version: 1
name: silent
server:
  url: http://127.0.0.1:${em.port}
  username: {env: EM_USER}
  password: {env: EM_PASSWORD}
  timeout: 2s
steps:
  - id: db
    failover: {cdpReplica: ERP-CDP, vms: [erp-db01]}
`,
    );
    const env = { EM_USER: 'u', EM_PASSWORD: 'p' };
    for (const args of [['run', 'pb.yaml', '--yes', '--state-dir', 'state']]) {
      const r = await runCli(args, { cwd: dir, env, timeoutMs: 60_000 });
      assert.is(r.code, 4, `${args[0]}: ${r.stderr}`);
      assert.match(r.stderr, `runbook: waiting for 127.0.0.1:${em.port}, 500ms (POST /sessionMngr/?v=latest)`);
      assert.match(r.stderr, `on 127.0.0.1:${em.port}`);
      assert.match(r.stderr, 'no answer within 2000 ms');
      assert.not.match(r.stderr, /\n\s+at /);
    }
    assert.ok(em.accepted() > 0, 'the tool never connected');
  } finally {
    await em.close();
  }
});

test.run();
