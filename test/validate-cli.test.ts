import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderText } from '../engine/commands/validate.js';
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
const step = (body: string) => `version: 1\nname: Bad\nsteps:\n${body}`;

// At least 50 malformed playbooks: each must exit 2 with a positioned message, no stack trace.
const BAD: Record<string, string | Buffer> = {
  'syntax-unclosed-quote': 'version: 1\nname: "x\n',
  'syntax-unclosed-flow': 'version: 1\nsteps: [\n',
  'syntax-bad-indent': 'version: 1\nname: x\n  steps: []\n',
  'syntax-tab-indent': 'version: 1\nsteps:\n\t- id: a\n',
  'syntax-colon-soup': 'version: 1\nname: : :\n',
  'syntax-two-docs': 'version: 1\n---\nname: x\n',
  'dup-key': 'version: 1\nname: a\nname: b\nsteps: []\n',
  'empty': '',
  'comments-only': '# nothing here\n',
  'top-level-list': '- id: a\n',
  'top-level-scalar': 'hello\n',
  'version-missing': 'name: x\nsteps:\n  - {id: w, wait: 1s}\n',
  'version-string': 'version: "1"\nname: x\nsteps:\n  - {id: w, wait: 1s}\n',
  'version-2': 'version: 2\nname: x\nsteps:\n  - {id: w, wait: 1s}\n',
  'name-number': 'version: 1\nname: 5\nsteps:\n  - {id: w, wait: 1s}\n',
  'steps-empty': 'version: 1\nname: x\nsteps: []\n',
  'steps-map': 'version: 1\nname: x\nsteps: {a: 1}\n',
  'unknown-top-key': 'version: 1\nname: x\nstesp: []\nsteps:\n  - {id: w, wait: 1s}\n',
  'unknown-step-kind': step('  - id: a\n    reboot: {vm: x}\n'),
  'no-step-kind': step('  - id: a\n    name: nothing\n'),
  'two-step-kinds': step('  - id: a\n    wait: 1s\n    exec: {command: [echo]}\n'),
  'step-not-map': step('  - failover\n'),
  'missing-id': step('  - wait: 1s\n'),
  'bad-id': step('  - id: "a b"\n    wait: 1s\n'),
  'dup-ids': step('  - {id: a, wait: 1s}\n  - {id: a, wait: 2s}\n'),
  'dup-ids-parallel': step('  - {id: a, wait: 1s}\n  - id: g\n    parallel:\n      - {id: a, wait: 1s}\n'),
  'when-later': step('  - {id: a, wait: 1s, when: {step: b}}\n  - {id: b, wait: 1s}\n'),
  'when-unknown': step('  - {id: a, wait: 1s, when: {step: zzz}}\n'),
  'when-self': step('  - {id: a, wait: 1s, when: {step: a}}\n'),
  'when-code': step('  - {id: a, wait: 1s, when: "a == b"}\n'),
  'when-empty': step('  - {id: a, wait: 1s, when: {}}\n'),
  'when-bad-outcome': step('  - {id: a, wait: 1s}\n  - {id: b, wait: 1s, when: {step: a, is: done}}\n'),
  'duration-number': step('  - {id: a, wait: 30}\n'),
  'duration-words': step('  - {id: a, wait: 30 seconds}\n'),
  'duration-order': step('  - {id: a, wait: 5s1m}\n'),
  'duration-zero': step('  - {id: a, wait: 0s}\n'),
  'datetime-offset': step('  - id: a\n    failover: {cdpReplica: X, vms: all, restorePoint: {pointInTime: 2024-05-01T10:00:00+02:00}}\n'),
  'datetime-impossible': step('  - id: a\n    failover: {cdpReplica: X, vms: all, restorePoint: {interval: 2024-13-01T10:00:00Z}}\n'),
  'datetime-local': step('  - id: a\n    failoverPlan: {plan: P, action: start, before: "2024-05-01 10:00"}\n'),
  'restore-point-word': step('  - id: a\n    failover: {cdpReplica: X, vms: all, restorePoint: newest}\n'),
  'vms-empty': step('  - id: a\n    failover: {cdpReplica: X, vms: []}\n'),
  'vms-string': step('  - id: a\n    failover: {cdpReplica: X, vms: erp-db01}\n'),
  'concurrency-zero': step('  - id: a\n    failover: {cdpReplica: X, vms: all, concurrency: 0}\n'),
  'plan-action': step('  - id: a\n    failoverPlan: {plan: P, action: launch}\n'),
  'exec-empty-command': step('  - id: a\n    exec: {command: []}\n'),
  'exec-string-command': step('  - id: a\n    exec: {command: echo hi}\n'),
  'exec-exit-code': step('  - id: a\n    exec: {command: [echo], expectExit: 300}\n'),
  'on-failure': step('  - {id: a, wait: 1s, onFailure: panic}\n'),
  'literal-password': 'version: 1\nname: x\nserver:\n  password: hunter2\nsteps:\n  - {id: w, wait: 1s}\n',
  'password-both': 'version: 1\nname: x\nserver:\n  password: {env: A, file: b}\nsteps:\n  - {id: w, wait: 1s}\n',
  'media-soap': 'version: 1\nname: x\nserver: {media: soap}\nsteps:\n  - {id: w, wait: 1s}\n',
  'unknown-param': step('  - id: a\n    exec: {command: [echo, "${params.nope}"]}\n'),
  'param-bad-type': 'version: 1\nname: x\nparams:\n  n: {type: integer}\nsteps:\n  - {id: w, wait: 1s}\n',
  'param-default-mismatch': 'version: 1\nname: x\nparams:\n  n: {type: number, default: many}\nsteps:\n  - {id: w, wait: "1s", when: {param: n, equals: 1}}\n',
  'datetime-from-string-param': 'version: 1\nname: x\nparams:\n  t: {type: string}\nsteps:\n  - id: a\n    failover: {cdpReplica: X, vms: all, restorePoint: {pointInTime: "${params.t}"}}\n',
  'check-nothing': step('  - id: a\n    check: {}\n'),
  'unknown-tag': 'version: 1\nname: !vault secret\nsteps:\n  - {id: w, wait: 1s}\n',
  'binary-tag': 'version: 1\nname: !!binary aGk=\nsteps:\n  - {id: w, wait: 1s}\n',
  'proto-key': 'version: 1\nname: x\n__proto__: {polluted: true}\nsteps:\n  - {id: w, wait: 1s}\n',
  'alias-bomb': ['a: &a [x,x,x,x,x,x,x,x,x,x]', ...'bcdefg'.split('').map((n) => `${n}: &${n} [${Array(10).fill(`*${String.fromCharCode(n.charCodeAt(0) - 1)}`).join(',')}]`)].join('\n'),
  'deep-nesting': `version: 1\nname: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`,
  'deep-block-nesting': Array.from({ length: 200 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n'),
  'binary-garbage': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0xff, 0xfe, 0x00]),
  'not-utf8': Buffer.from('version: 1\nname: caf\xe9\n', 'latin1'),
  'ten-megabytes': Buffer.alloc(10 * 1024 * 1024, 0x20),
};

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
  const results = JSON.parse(r.stdout) as { file: string; valid: boolean; diagnostics: { line: number; col: number; severity: string; message: string }[] }[];
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
    'pb.yaml:5:67: error: steps[0].failover.concurrency: must be at least 1; got 0\n1 playbook checked: 0 valid, 1 invalid (1 error, 0 warnings)\n',
  );
  writeFileSync(file, GOOD.replace('[echo, done]', '["echo done"]'));
  const warn = await runCli(['validate', 'pb.yaml'], { cwd: dir, env: { GITHUB_ACTIONS: 'true' } });
  assert.is(warn.code, 0, 'warnings alone do not fail');
  assert.match(warn.stdout, 'pb.yaml:8:22: warning: steps[1].exec.command[0]: "echo done" is one argument');
  assert.match(warn.stdout, '::warning file=pb.yaml,line=8,col=22,title=rule/argv-split::steps[1].exec.command[0]: "echo done" is one argument');
  const json = await runCli(['validate', '--format', 'json', 'pb.yaml'], { cwd: dir, env: { GITHUB_ACTIONS: 'true' } });
  assert.is(json.code, 0);
  const parsed = JSON.parse(json.stdout) as unknown[];
  assert.equal(parsed, [{ file: 'pb.yaml', valid: true, diagnostics: [{ file: 'pb.yaml', line: 8, col: 22, severity: 'warning', code: 'rule/argv-split', message: 'steps[1].exec.command[0]: "echo done" is one argument, so it runs a program with that whole name; split it, e.g. [echo, done], or set shell: true', span: 11, sourceLine: '    exec: {command: ["echo done"]}' }] }]);
  assert.match(json.stderr, '::warning file=pb.yaml,line=8,col=22');
});

test('a terminal gets the source line and a caret under the problem', () => {
  const out = renderText([{ file: 'pb.yaml', valid: false, diagnostics: [{ file: 'pb.yaml', line: 3, col: 9, severity: 'error', code: 'x', message: 'steps[0].wait: bad', sourceLine: '  - wait: 5 min', span: 5 }] }], true);
  assert.is(out, 'pb.yaml:3:9: error: steps[0].wait: bad\n    - wait: 5 min\n          ^^^^^\n1 playbook checked: 0 valid, 1 invalid (1 error, 0 warnings)\n');
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
