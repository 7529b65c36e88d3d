// Every command a page shows in a ```sh runnable block runs as shown (from the repository root,
// against the built CLI and its embedded simulator), and no shell example carries a literal date
// that will one day fall outside the simulator's restore-point history.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Fence, fences, markdownPages } from './helpers/markdown.js';
import { repoRoot } from './helpers/paths.js';

/** The marker: GitHub highlights by the first word and ignores the rest. */
const RUNNABLE = /^(sh|bash)\s+runnable$/;
const SHELL = /^(sh|bash|console)\b/;
const BLOCK_TIMEOUT_MS = 120_000;

const pages = markdownPages(repoRoot).map((p) => ({ page: p, blocks: fences(readFileSync(join(repoRoot, p), 'utf8')) }));
const runnable: { where: string; block: Fence }[] = pages.flatMap(({ page, blocks }) =>
  blocks.filter((b) => RUNNABLE.test(b.info)).map((block) => ({ where: `${page}:${block.line}`, block })),
);

/** A literal calendar date (2026-11-27, 2026-11-27T08:00:00Z) in shell text. */
function literalDates(shell: string): string[] {
  return [...shell.matchAll(/\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?\b/g)].map((m) => m[0]);
}

test('the date finder sees what ages and leaves what does not', () => {
  assert.equal(literalDates('run x --param recoverTo=2026-11-27T08:00:00Z'), ['2026-11-27T08:00:00Z']);
  assert.equal(literalDates('report 20261127T104705Z-090e --out drill-2026-q1.html'), []);
  assert.equal(literalDates("--param recoverTo=$(date -u -d '1 hour ago' +%Y-%m-%dT%H:%M:%SZ)"), []);
});

test('the README has runnable examples, and the marker is spelled the one way', () => {
  assert.ok(
    runnable.some((r) => r.where.startsWith('README.md:')),
    'README.md has no ```sh runnable block',
  );
  const odd = pages.flatMap(({ page, blocks }) =>
    blocks.filter((b) => /runnable/.test(b.info) && !RUNNABLE.test(b.info)).map((b) => `${page}:${b.line}: ${b.info}`),
  );
  assert.equal(odd, []);
});

test('runnable blocks carry no literal date (compute it: $(date -u -d "1 hour ago" ...))', () => {
  const dated = runnable.flatMap((r) => literalDates(r.block.body).map((d) => `${r.where}: ${d}`));
  assert.equal(dated, []);
});

test('no shell example passes a literal datetime to --param (it would age out of the restore-point history)', () => {
  const dated = pages.flatMap(({ page, blocks }) =>
    blocks
      .filter((b) => SHELL.test(b.info))
      .flatMap((b) =>
        [...b.body.matchAll(/--param[ =]\S+=(\S+)/g)]
          .filter((m) => literalDates(m[1]!).length > 0)
          .map((m) => `${page}:${b.line}: ${m[0]}`),
      ),
  );
  assert.equal(dated, []);
});

for (const { where, block } of runnable) {
  test(`${where}: the runnable block runs as shown (exit 0)`, () => {
    // A clean environment for EM: the examples rehearse against the embedded simulator.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VEEAM_EM_') && !k.startsWith('GITHUB_')));
    const r = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', block.body], {
      cwd: repoRoot,
      env: { ...env, NO_COLOR: '1' },
      encoding: 'utf8',
      timeout: BLOCK_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    assert.ok(r.status === 0, `${where} exited ${r.status ?? r.signal}:\n${block.body}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  });
}

test.run();
