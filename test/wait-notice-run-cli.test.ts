// A request EM keeps quiet on in the middle of a run (after the plan is resolved, so the
// progress view is on screen) is said in the run's record: the journal, and so `runbook
// status` and the report, show "EM has not answered yet: waiting for host:port".

import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from './helpers/cli.js';
import { startSim } from './helpers/sim-process.js';

test('run against an EM that is slow to answer a task poll: the wait is journaled as a warning, the run still succeeds', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wait-notice-'));
  // The first task poll answers after 2 s; a 4 s request timeout says it waits from 1 s on.
  writeFileSync(
    join(dir, 'inv.json'),
    JSON.stringify({
      defaults: { failoverDuration: '1s' },
      cdpReplicas: [{ name: 'C', vms: ['a'] }],
      faults: [{ kind: 'latency', method: 'GET', path: '^/tasks', nth: 1, delay: '2s' }],
    }),
  );
  const sim = await startSim(['--inventory', join(dir, 'inv.json')]);
  try {
    writeFileSync(
      join(dir, 'pb.yaml'),
      `version: 1
name: slow poll
server:
  url: ${sim.url}
  username: {env: EM_USER}
  password: {env: EM_PASSWORD}
  timeout: 4s
defaults:
  pollInterval: 1s
steps:
  - id: db
    failover: {cdpReplica: C, vms: [a]}
`,
    );
    const env = { EM_USER: 'runbook', EM_PASSWORD: 'runbook-demo' };
    const r = await runCli(['run', 'pb.yaml', '--yes', '--state-dir', 'state'], { cwd: dir, env });
    assert.is(r.code, 0, r.stdout + r.stderr);
    const [journal] = readdirSync(join(dir, 'state', 'runs')).filter((f) => f.endsWith('.jsonl'));
    const entries = readFileSync(join(dir, 'state', 'runs', journal ?? ''), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; kind?: string; message?: string });
    const host = new URL(sim.url).host;
    const waits = entries.filter((e) => e.type === 'event' && e.kind === 'warning' && e.message?.startsWith('EM has not answered yet'));
    assert.ok(waits.length > 0, `no wait journaled: ${JSON.stringify(entries.filter((e) => e.type === 'event'))}`);
    assert.match(waits[0]?.message ?? '', `waiting for ${host}, 1s (GET /tasks`, waits[0]?.message);
  } finally {
    await sim.stop('SIGTERM');
  }
});

test.run();
