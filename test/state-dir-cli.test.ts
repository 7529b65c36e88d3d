// A state directory the run cannot use (a file, read-only, under /proc) is a user error:
// one line naming the path and the fix, exit 2, quickly, and nothing sent to EM.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { systemClock } from '../engine/clock.js';
import { startSimulatorServer } from '../engine/simulator/index.js';
import { runCli } from './helpers/cli.js';
import { PASSWORD, PLAYBOOK_YAML, slowSimulator, USER } from './helpers/rollback-setup.js';

function workDir(): { dir: string; readOnly: string } {
  const dir = mkdtempSync(join(tmpdir(), 'state-dir-cli-'));
  writeFileSync(join(dir, 'pb.yaml'), PLAYBOOK_YAML);
  writeFileSync(join(dir, 'a-file'), 'not a directory\n');
  // root may write anywhere on a normal file system; /sys refuses even root.
  let readOnly = '/sys/runbook-state';
  if (process.getuid?.() !== 0) {
    readOnly = join(dir, 'ro');
    mkdirSync(readOnly);
    chmodSync(readOnly, 0o555);
  }
  return { dir, readOnly };
}

test('run with an unusable --state-dir: exit 2, one line naming the path and the fix, no request to EM', async () => {
  const sim = slowSimulator(systemClock);
  const server = await startSimulatorServer(sim, { port: 0 });
  try {
    const { dir, readOnly } = workDir();
    const env = { EM_URL: server.url, EM_USER: USER, EM_PASSWORD: PASSWORD };
    const cases: [string, RegExp][] = [
      ['a-file', /is a file/],
      ['a-file/below', /is a file/],
      [readOnly, /not writable|read-only/],
      ['/proc/nope', /cannot be created here/],
      ['/proc/self/runbook', /cannot be created here/],
    ];
    for (const [stateDir, why] of cases) {
      // The timeout is a guard against the old endless mkdir loop, not a timed assertion.
      const r = await runCli(['run', 'pb.yaml', '--yes', '--state-dir', stateDir], { cwd: dir, env, timeoutMs: 20_000 });
      assert.is(r.code, 2, `${stateDir}: ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.is(lines.length, 1, r.stderr);
      assert.match(lines[0]!, stateDir.startsWith('/') ? stateDir : join(dir, stateDir));
      assert.match(lines[0]!, why);
      assert.match(lines[0]!, 'pass --state-dir DIR naming a writable directory');
      assert.not.match(r.stderr, 'internal error');
    }
    assert.equal(sim.log, [], 'requests reached EM');
  } finally {
    await server.close();
  }
});

test('status, report, rollback and approve with --state-dir naming a file: exit 2, no stack trace', async () => {
  const { dir } = workDir();
  for (const args of [['status'], ['report', 'x'], ['rollback', '--run', 'x', '--yes'], ['approve', '--run', 'x', '--step', 's']]) {
    const r = await runCli([...args, '--state-dir', 'a-file'], { cwd: dir });
    assert.is(r.code, 2, `${args[0]}: ${r.stderr}`);
    assert.match(r.stderr, `state directory ${join(dir, 'a-file')} is a file`);
    assert.not.match(r.stderr, /\n\s+at /);
  }
});

test.run();
