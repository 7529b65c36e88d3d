import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderText } from '../engine/commands/validate.js';
import { BAD } from './fixtures/bad/corpus.js';
import { runCli } from './helpers/cli.js';

const GOOD = `version: 1
name: Good
steps:
  - id: db
    failover: {cdpReplica: ERP-CDP, vms: [erp-db01]}
  - id: notify
    when: {step: db}
    exec: {command: [echo, done]}
`;
test('50+ malformed playbooks in one call: each exits 2 with a positioned message and no stack trace', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bad-playbooks-'));
  const names = Object.keys(BAD);
  assert.ok(names.length >= 50, `${names.length} cases`);
  for (const name of names) writeFileSync(join(dir, `${name}.yaml`), BAD[name]!);
  mkdirSync(join(dir, 'a-directory.yaml'));
  const args = [...names.map((n) => join(dir, `${n}.yaml`)), join(dir, 'missing.yaml')];
  const r = await runCli(['validate', '--format', 'json', ...args]);
  assert.is(r.code, 2);
  assert.is(r.stderr, '');
  const results = JSON.parse(r.stdout) as {
    file: string;
    valid: boolean;
    diagnostics: { line: number; col: number; severity: string; message: string }[];
  }[];
  assert.is(results.length, args.length);
  for (const [i, res] of results.entries()) {
    assert.is(res.file, args[i]);
    assert.is(res.valid, false, `${res.file} should be invalid`);
    const errors = res.diagnostics.filter((d) => d.severity === 'error');
    assert.ok(errors.length > 0, `${res.file}: no error`);
    for (const d of errors) {
      assert.ok(d.line >= 1 && d.col >= 1, `${res.file}: position`);
      assert.not.match(d.message, /\n\s+at |Error:/, `${res.file}: ${d.message}`);
    }
  }
  // The directory given where a file was expected is also reported (directory arguments
  // are expanded, so check it through the file path that a directory expansion skips).
  const asFile = await runCli(['validate', join(dir, 'a-directory.yaml')]);
  assert.is(asFile.code, 2);
  assert.match(asFile.stdout, 'is a directory with no .yaml or .yml files in it');
});

test('valid playbooks exit 0; a directory argument checks every playbook inside', async () => {
  const r = await runCli(['validate', 'playbooks/']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^\d+ playbooks checked: (\d+) valid, 0 invalid \(0 errors, 0 warnings\)\n$/);
  const dir = mkdtempSync(join(tmpdir(), 'pbdir-'));
  mkdirSync(join(dir, 'nested'));
  writeFileSync(join(dir, 'good.yaml'), GOOD);
  writeFileSync(join(dir, 'nested', 'bad.yml'), GOOD.replace('{step: db}', '{step: notify}'));
  writeFileSync(join(dir, 'notes.txt'), 'not a playbook');
  const mixed = await runCli(['validate', dir]);
  assert.is(mixed.code, 2);
  assert.is(
    mixed.stdout,
    `${join(dir, 'nested', 'bad.yml')}:7:18: error: steps[1].when: step "notify" refers to itself; a condition can only refer to an earlier step\n` +
      '2 playbooks checked: 1 valid, 1 invalid (1 error, 0 warnings)\n',
  );
});

test('compiler-style text output, JSON output and GitHub annotations', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pbfmt-'));
  const file = join(dir, 'pb.yaml');
  writeFileSync(file, GOOD.replace('vms: [erp-db01]', 'vms: [erp-db01], concurrency: 0').replace('[echo, done]', '["echo done"]'));
  const text = await runCli(['validate', 'pb.yaml'], { cwd: dir });
  assert.is(text.code, 2);
  assert.is(
    text.stdout,
    // The schema error of one step and the rule warning of another, from the same run.
    'pb.yaml:5:67: error: steps[0].failover.concurrency: must be at least 1; got 0\n' +
      'pb.yaml:8:22: warning: steps[1].exec.command[0]: "echo done" is one argument, so it runs a program with that whole name; split it, e.g. [echo, done], or set shell: true\n' +
      '1 playbook checked: 0 valid, 1 invalid (1 error, 1 warning)\n',
  );
  writeFileSync(file, GOOD.replace('[echo, done]', '["echo done"]'));
  const warn = await runCli(['validate', 'pb.yaml'], { cwd: dir, env: { GITHUB_ACTIONS: 'true' } });
  assert.is(warn.code, 0, 'warnings alone do not fail');
  assert.match(warn.stdout, 'pb.yaml:8:22: warning: steps[1].exec.command[0]: "echo done" is one argument');
  assert.match(
    warn.stdout,
    '::warning file=pb.yaml,line=8,col=22,title=rule/argv-split::steps[1].exec.command[0]: "echo done" is one argument',
  );
  const json = await runCli(['validate', '--format', 'json', 'pb.yaml'], { cwd: dir, env: { GITHUB_ACTIONS: 'true' } });
  assert.is(json.code, 0);
  const parsed = JSON.parse(json.stdout) as unknown[];
  assert.equal(parsed, [
    {
      file: 'pb.yaml',
      valid: true,
      diagnostics: [
        {
          file: 'pb.yaml',
          line: 8,
          col: 22,
          severity: 'warning',
          code: 'rule/argv-split',
          message:
            'steps[1].exec.command[0]: "echo done" is one argument, so it runs a program with that whole name; split it, e.g. [echo, done], or set shell: true',
          span: 11,
          sourceLine: '    exec: {command: ["echo done"]}',
        },
      ],
    },
  ]);
  assert.match(json.stderr, '::warning file=pb.yaml,line=8,col=22');
});

test('a terminal gets the source line and a caret under the problem', () => {
  const out = renderText(
    [
      {
        file: 'pb.yaml',
        valid: false,
        diagnostics: [
          {
            file: 'pb.yaml',
            line: 3,
            col: 9,
            severity: 'error',
            code: 'x',
            message: 'steps[0].wait: bad',
            sourceLine: '  - wait: 5 min',
            span: 5,
          },
        ],
      },
    ],
    true,
  );
  assert.is(
    out,
    'pb.yaml:3:9: error: steps[0].wait: bad\n    - wait: 5 min\n          ^^^^^\n1 playbook checked: 0 valid, 1 invalid (1 error, 0 warnings)\n',
  );
});

test('usage errors exit 2 without a stack trace; --help documents the command', async () => {
  const none = await runCli(['validate']);
  assert.is(none.code, 2);
  assert.match(none.stderr, 'name at least one playbook file or directory');
  const fmt = await runCli(['validate', '--format', 'xml', 'playbooks/']);
  assert.is(fmt.code, 2);
  assert.match(fmt.stderr, '--format must be text or json');
  const flag = await runCli(['validate', '--bogus']);
  assert.is(flag.code, 2);
  for (const r of [none, fmt, flag]) assert.not.match(r.stderr, /\n\s+at /);
  const help = await runCli(['validate', '--help']);
  assert.is(help.code, 0);
  assert.match(help.stdout, 'Usage: runbook validate');
  assert.match(help.stdout, '--format text|json');
});

test.run();
