import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from './helpers/cli.js';

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

test.run();
