// Two runs of one playbook at once: the second is refused with exit 5 before it sends
// anything (not even a logon), and the first is not disturbed.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from './helpers/cli.js';
import { cliPath } from './helpers/paths.js';

const PLAYBOOK = `version: 1
name: lock drill
steps:
  - id: tier
    failover: {cdpReplica: LOCK-CDP, vms: [lk1, lk2]}
`;
// The failovers last 8 s of real time: long enough that a loaded machine starts the second run
// while the first still holds the lock.
const INVENTORY = {
  cdpReplicas: [
    {
      name: 'LOCK-CDP',
      vms: [
        { name: 'lk1', failoverDuration: '8m' },
        { name: 'lk2', failoverDuration: '8m' },
      ],
    },
  ],
};

test('a second concurrent run of the same playbook exits 5, names the holder and sends nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-lock-'));
  writeFileSync(join(dir, 'pb.yaml'), PLAYBOOK);
  writeFileSync(join(dir, 'inv.json'), JSON.stringify(INVENTORY));
  const common = ['--simulate', '--inventory', 'inv.json', '--time-scale', '60', '--state-dir', 'state'];
  const first = spawn(process.execPath, [cliPath, 'run', 'pb.yaml', ...common, '--sim-log', 'first.jsonl'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const guard = setTimeout(() => first.kill('SIGKILL'), 30_000);
  const firstDone = new Promise<number | null>((resolve) => first.on('close', (code) => resolve(code)));
  let out = '';
  await new Promise<void>((resolve) => {
    first.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('running (task-')) resolve();
    });
    void firstDone.then(() => resolve());
  });
  const second = await runCli(['run', 'pb.yaml', ...common, '--sim-log', 'second.jsonl'], { cwd: dir });
  const firstCode = await firstDone;
  clearTimeout(guard);

  assert.is(second.code, 5, second.stderr);
  assert.match(second.stderr, /another run of .*pb\.yaml is in progress \(pid \d+/);
  assert.not.match(second.stderr, /\n\s+at /);
  // Refused before connecting: the embedded simulator never saw a request.
  const secondLog = join(dir, 'second.jsonl');
  assert.ok(!existsSync(secondLog) || readFileSync(secondLog, 'utf8').trim() === '', 'the refused run sent requests');
  assert.is(firstCode, 0, 'the first run is not disturbed');
});

test.run();
