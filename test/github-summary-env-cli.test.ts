// On GitHub Actions (GITHUB_STEP_SUMMARY set) `runbook run` appends the job summary
// without being asked, as the README promises; --github-summary FILE still wins.
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from './helpers/cli.js';
import { repoRoot } from './helpers/paths.js';

const playbook = join(repoRoot, 'playbooks', 'erp-tiered-failover.yaml');

test('GITHUB_STEP_SUMMARY set: the summary is appended there; checked VMs read "checked"', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-summary-'));
  const file = join(dir, 'step-summary.md');
  writeFileSync(file, 'earlier step\n');
  const r = await runCli(['run', playbook, '--simulate', '--time-scale', '2000'], { cwd: dir, env: { GITHUB_STEP_SUMMARY: file } });
  assert.is(r.code, 0, r.stderr);
  const md = readFileSync(file, 'utf8');
  assert.ok(md.startsWith('earlier step\n'), 'appended, not overwritten');
  assert.match(md, /^### .*Runbook ERP tiered failover: succeeded/m);
  assert.match(md, /erp-db01: checked/);
  assert.not.match(md, 'not-started');
});

test('--github-summary FILE wins over GITHUB_STEP_SUMMARY', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-summary-'));
  const env = join(dir, 'env.md');
  const r = await runCli(['run', playbook, '--simulate', '--time-scale', '2000', '--github-summary', 'flag.md'], {
    cwd: dir,
    env: { GITHUB_STEP_SUMMARY: env },
  });
  assert.is(r.code, 0, r.stderr);
  assert.match(readFileSync(join(dir, 'flag.md'), 'utf8'), /^### .*Runbook ERP tiered failover/m);
  assert.not.ok(existsSync(env));
});

test.run();
