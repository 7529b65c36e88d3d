// Scenario 4: `runbook validate` as a fresh process (wall time incl. node startup), one
// example playbook and 1,000 generated playbooks in one call.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stats, type Stats } from './analyze.js';
import { distCli, repoRoot } from './paths.js';

export interface CliResult {
  /** One example playbook, one process per run, wall ms. */
  single: Stats & { playbook: string };
  /** `validate <dir>` over `count` playbooks, wall ms per call. */
  many: Stats & { count: number };
  /** A bare `node -e 0`, the same way: the contract's yardstick for a cold validate. */
  bare: Stats;
}

function timeBareNode(): number {
  const t0 = performance.now();
  spawnSync(process.execPath, ['-e', '0'], { cwd: repoRoot });
  return performance.now() - t0;
}

function timeValidate(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [distCli, 'validate', ...args], { cwd: repoRoot, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`runbook validate ${args.join(' ')} exited ${r.status}: ${r.stderr || r.stdout}`);
  return ms;
}

export function runCliBench(o: { runs: number; playbooks: number; manyRuns: number }): CliResult {
  const example = join(repoRoot, 'playbooks', 'erp-tiered-failover.yaml');
  timeValidate([example]); // warm the OS file cache; not counted
  const single = stats(Array.from({ length: o.runs }, () => timeValidate([example])));
  const bare = stats(Array.from({ length: o.runs }, () => timeBareNode()));

  // 1,000 playbooks: the examples, renamed, round robin (their relative caFile etc. still valid).
  const dir = mkdtempSync(join(tmpdir(), 'bench-validate-'));
  try {
    const sources = readdirSync(join(repoRoot, 'playbooks')).filter((f) => f.endsWith('.yaml'));
    for (let i = 0; i < o.playbooks; i++) {
      const src = join(repoRoot, 'playbooks', sources[i % sources.length] as string);
      const text = readFileSync(src, 'utf8').replace(/^name: .*$/m, (line) => `${line} #${i + 1}`);
      writeFileSync(join(dir, `pb-${String(i + 1).padStart(4, '0')}.yaml`), text);
    }
    timeValidate([dir]);
    const many = stats(Array.from({ length: o.manyRuns }, () => timeValidate([dir])));
    return { single: { ...single, playbook: 'playbooks/erp-tiered-failover.yaml' }, many: { ...many, count: o.playbooks }, bare };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
