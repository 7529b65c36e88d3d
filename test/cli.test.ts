import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from './helpers/cli.js';
import { cliPath } from './helpers/paths.js';

test('--help lists every command and the exit codes', async () => {
  const r = await runCli(['--help']);
  assert.is(r.code, 0);
  for (const c of ['validate', 'plan', 'run', 'sim', 'status', 'rollback', 'report']) assert.match(r.stdout, c);
  assert.match(r.stdout, '130  interrupted by SIGINT');
});

test('an unknown command exits 2 with usage and no stack trace', async () => {
  const r = await runCli(['frobnicate']);
  assert.is(r.code, 2);
  assert.match(r.stderr, 'unknown command "frobnicate"');
  assert.not.match(r.stderr, /\n\s+at /);
});

// npx links the bin only when its cache has no entry for this checkout; a stale entry runs the
// file as it is, so the build itself must leave it executable (CI once failed on exactly that).
test('the built CLI runs as a program (npm run build leaves dist/cli.js executable)', () => {
  const r = spawnSync(cliPath, ['--version'], { encoding: 'utf8' });
  assert.is(r.error, undefined, String(r.error));
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\d+\.\d+\.\d+/);
});

test.run();
