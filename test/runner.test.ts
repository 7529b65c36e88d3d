import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './helpers/paths.js';

// The runner's closing line is what CI reads: it must count a file that forgot test.run()
// as a failure (uvu alone exits 0 then).
function runIn(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-runner-'));
  try {
    mkdirSync(join(dir, 'test'));
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
    for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, 'test', name), body);
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'test', '_run.ts')], { cwd: dir, encoding: 'utf8' });
    return { code: r.status, out: r.stdout, err: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ok = "import { test } from 'uvu';\ntest('a', () => {});\ntest.run();\n";

test('a file that forgets test.run() fails the run and is named', () => {
  const r = runIn({ 'a.test.ts': ok, 'b.test.ts': "import { test } from 'uvu';\ntest('b', () => {});\n" });
  assert.is(r.code, 1);
  assert.match(r.err, 'never called test.run(): b.test.ts');
  assert.match(r.out, /^1 passed, 1 failed, 0 skipped$/m);
});

test('a green run ends with the plain closing line and exit 0', () => {
  const r = runIn({ 'a.test.ts': ok });
  assert.is(r.code, 0);
  assert.match(r.out, /^1 passed, 0 failed, 0 skipped$/m);
});

test('no test files at all is a failure', () => {
  const r = runIn({ 'readme.txt': 'nothing' });
  assert.is(r.code, 1);
});

test.run();
