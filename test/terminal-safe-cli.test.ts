// Control characters in EM's task messages and in params never reach the terminal raw
// (an escape sequence would clear the screen or retitle the window); the JSON report keeps
// the exact text.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { terminalSafe } from '../engine/terminal-safe.js';
import { runCli } from './helpers/cli.js';

const EVIL = '\u001b]0;pwned\u0007\u001b[2J\u009b31m\rboom\u202e';
// biome-ignore lint/suspicious/noControlCharactersInRegex: the test asserts that no control character reaches the terminal
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/;

test('terminalSafe escapes C0, C1, DEL, ESC sequences and bidi overrides; keeps newlines, tabs and text', () => {
  assert.is(terminalSafe('a\tb\nc'), 'a\tb\nc');
  assert.is(terminalSafe('\u001b[2J'), '\\x1b[2J');
  assert.is(terminalSafe('x\ry'), 'x\\ry');
  assert.is(terminalSafe('\u009b\u007f\u0000'), '\\x9b\\x7f\\x00');
  assert.is(terminalSafe('ab\u202ecd'), 'ab\\u202ecd');
  assert.is(terminalSafe('für VM «db» ✔'), 'für VM «db» ✔');
});

test('a failing task message and a param with escape sequences: escaped on the terminal, exact in the report', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'terminal-safe-'));
  writeFileSync(
    join(dir, 'pb.yaml'),
    `version: 1
name: terminal safety
params:
  note: {type: string}
steps:
  - id: db
    failover: {cdpReplica: TS-CDP, vms: [ts-db01, ts-app01]}
    onFailure: continue
  - id: say
    exec:
      command: [echo, "note \${params.note}"]
`,
  );
  writeFileSync(
    join(dir, 'inv.json'),
    JSON.stringify({
      cdpReplicas: [
        {
          name: 'TS-CDP',
          vms: [
            { name: 'ts-db01', failoverDuration: '10s' },
            { name: 'ts-app01', failoverDuration: '10s', fail: `disk ${EVIL}` },
          ],
        },
      ],
    }),
  );
  const r = await runCli(
    [
      'run',
      'pb.yaml',
      '--simulate',
      '--inventory',
      'inv.json',
      '--time-scale',
      '600',
      '--media',
      'json',
      '--param',
      `note=${EVIL}`,
      '--report',
      'report.json',
    ],
    { cwd: dir },
  );
  assert.is(r.code, 1, r.stderr);
  for (const [name, text] of [
    ['stdout', r.stdout],
    ['stderr', r.stderr],
  ] as const) {
    assert.not.ok(CONTROL.test(text), `${name} carries a raw control character: ${JSON.stringify(text)}`);
  }
  const all = r.stdout + r.stderr;
  assert.match(all, 'disk \\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\rboom\\u202e');
  assert.match(all, 'note \\x1b]0;pwned');
  // The report keeps what EM said, byte for byte.
  const report = readFileSync(join(dir, 'report.json'), 'utf8');
  assert.ok(report.includes(JSON.stringify(`disk ${EVIL}`).slice(1, -1)), 'the report lost the exact message');
});

test.run();
