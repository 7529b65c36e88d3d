// A second Ctrl-C while rollback is still stopping tasks: the CLI leaves at once (exit 130),
// the journal says the run was cut short, and `runbook status` still names every VM whose
// failover was requested and not seen finished.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadRunStatus } from '../engine/state/run-status.js';
import { cliPath } from './helpers/paths.js';

const VMS = ['ss1', 'ss2', 'ss3', 'ss4', 'ss5'];
const PLAYBOOK = `version: 1
name: second signal drill
steps:
  - id: tier
    failover: {cdpReplica: SS-CDP, vms: [${VMS.join(', ')}], concurrency: 3}
`;
// Stopping a task takes 10 simulated minutes (10 s at ×60): the rollback is still busy
// when the second signal comes.
const INVENTORY = {
  cdpReplicas: [{ name: 'SS-CDP', vms: VMS.map((name) => ({ name, failoverDuration: '10m' })) }],
  faults: [{ kind: 'latency', method: 'DELETE', path: '^/tasks/', delay: '10m' }],
};

test('a second SIGINT during rollback exits 130 at once; the journal and status keep what was left', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'drill-second-signal-'));
  writeFileSync(join(dir, 'pb.yaml'), PLAYBOOK);
  writeFileSync(join(dir, 'inv.json'), JSON.stringify(INVENTORY));
  const args = ['run', 'pb.yaml', '--simulate', '--inventory', 'inv.json', '--time-scale', '60', '--state-dir', 'state'];
  const r = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let first = false;
    let second = false;
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!first && (stdout.match(/: running \(task-/g) ?? []).length >= 3) {
        first = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (first && !second && stderr.includes('SIGINT received')) {
        second = true;
        setTimeout(() => child.kill('SIGINT'), 200);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stderr });
    });
  });
  assert.is(r.code, 130, r.stderr);
  assert.match(r.stderr, 'second SIGINT: exiting now');
  const runs = join(dir, 'state', 'runs');
  const journalFile = readdirSync(runs).find((f) => f.endsWith('.jsonl'))!;
  const journal = readFileSync(join(runs, journalFile), 'utf8');
  assert.match(journal, /"kind":"interrupt","message":"second signal: exited at once/);
  assert.not.match(journal, '"type":"run-end"');
  const status = loadRunStatus(join(dir, 'state'), journalFile.replace(/\.jsonl$/, ''));
  assert.is(status.display.startsWith('crashed'), true, status.display);
  const requested = [...journal.matchAll(/"type":"request-accepted"[^\n]*"target":"([^"]+)"/g)].map((m) => m[1]);
  assert.is(requested.length, 3);
  for (const vm of requested)
    assert.ok(
      status.unresolved.some((u) => u.request.target === vm),
      `${vm} listed as unresolved`,
    );
});

test.run();
