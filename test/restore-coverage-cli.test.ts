// A point in time outside the replica's history fails in preflight (exit 3), asked of EM
// through ?action=intervals, instead of a failover task that fails mid-run.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from './helpers/cli.js';
import { repoRoot } from './helpers/paths.js';

const playbook = join(repoRoot, 'playbooks', 'ransomware-point-in-time.yaml');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

test('plan and run: a recoverTo the history does not cover is a preflight failure (exit 3), nothing sent', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'coverage-'));
  const old = '2020-01-01T08:00:00Z';
  for (const args of [['plan'], ['run', '--approve', 'security-signoff']]) {
    const command = args[0]!;
    const r = await runCli([command, playbook, '--simulate', '--param', `recoverTo=${old}`, '--sim-log', 'sim.jsonl', ...args.slice(1)], {
      cwd: dir,
    });
    assert.is(r.code, 3, `${command}: ${r.stderr}`);
    assert.match(r.stderr, `VM "fin-sql01": no restore point covers ${old}`);
    const log = readFileSync(join(dir, 'sim.jsonl'), 'utf8');
    assert.match(log, 'action=intervals');
    assert.not.match(log, 'action=failover');
  }
});

test('plan: a recoverTo inside the history (two hours ago) is ready', async () => {
  const r = await runCli(['plan', playbook, '--simulate', '--param', `recoverTo=${iso(Date.now() - 2 * 3_600_000)}`]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, 'Ready');
});

test.run();
