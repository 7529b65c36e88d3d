// `runbook validate` on invalid playbooks: every problem reported, where and why, and no
// playbook. Warnings that leave a playbook valid are playbook-validate-warnings.test.ts;
// approval steps playbook-validate-approval.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateText } from '../engine/playbook/validate.js';
import { ERP_BASE, diagnosticLines as lines } from './helpers/playbook-base.js';

// A valid base; each case edits it, then expects exact `line:col severity message` lines.
const BASE = ERP_BASE;

test('the base playbook is valid', () => {
  assert.equal(lines(BASE), []);
});

const INVALID: [string, string, string[]][] = [
  [
    'version 2',
    BASE.replace('version: 1', 'version: 2'),
    ['1:10 error version: must be 1 (the only playbook language version so far); got 2'],
  ],
  [
    'missing steps',
    'version: 1\nname: x\n',
    ['1:1 error (top level): missing required key "steps" (the steps, run in order from top to bottom)'],
  ],
  [
    'unknown top-level key with suggestion',
    BASE.replace('name: ERP failover', 'name: ERP failover\nstesp: []'),
    [
      '3:1 error stesp: unknown key "stesp" (did you mean "steps"?); allowed here: version, name, description, server, targets, params, defaults, approvers, steps',
    ],
  ],
  [
    'literal password',
    BASE.replace('params:', 'server:\n  password: hunter2\nparams:'),
    [
      '4:13 error server.password: a literal password does not belong in a playbook (it would end up in git and in logs): write password: {env: EM_PASSWORD} or password: {file: /run/secrets/em-password}',
    ],
  ],
  [
    'password with both env and file',
    BASE.replace('params:', 'server:\n  password: {env: A, file: b}\nparams:'),
    ['4:13 error server.password: give exactly one of env or file, e.g. {env: EM_PASSWORD}'],
  ],
  [
    'duration without unit',
    BASE.replace('maxRpo: 15m', 'maxRpo: 15'),
    ['8:59 error steps[0].check.maxRpo: 15 has no unit: write a duration like 30s, 5m or 1h30m'],
  ],
  [
    'malformed duration',
    BASE.replace('maxRpo: 15m', 'maxRpo: 15 min'),
    [
      '8:59 error steps[0].check.maxRpo: "15 min" is not a duration: write it like 500ms, 30s, 5m, 1h30m or 1d (units in that order, no spaces)',
    ],
  ],
  [
    'non-UTC datetime',
    BASE.replace('"${params.recoverTo}"', '2024-05-01T10:00:00+02:00'),
    [
      '13:35 error steps[1].failover.restorePoint.pointInTime: "2024-05-01T10:00:00+02:00" is not in UTC: convert it to UTC and end it with Z, e.g. 2024-05-01T10:30:00Z',
    ],
  ],
  [
    'impossible date',
    BASE.replace('"${params.recoverTo}"', '2024-02-30T10:00:00Z'),
    [
      '4:3 warning params.recoverTo: param "recoverTo" is never used: refer to it as ${params.recoverTo} or remove it',
      '13:35 error steps[1].failover.restorePoint.pointInTime: "2024-02-30T10:00:00Z" is not a real date and time',
    ],
  ],
  [
    'datetime field fed a string param',
    BASE.replace('"${params.recoverTo}"', '"${params.site}"'),
    [
      '4:3 warning params.recoverTo: param "recoverTo" is never used: refer to it as ${params.recoverTo} or remove it',
      '13:35 error steps[1].failover.restorePoint.pointInTime: ${params.site} is a string param; this field needs a datetime: declare "site" with type: datetime, or write a UTC time like 2024-05-01T10:30:00Z',
    ],
  ],
  [
    'duplicate step id',
    BASE.replace('id: dns', 'id: preflight'),
    ['14:9 error steps[2].id: step id "preflight" is already used by steps[0]; give each step its own id'],
  ],
  [
    'when names a later step',
    BASE.replace('  - id: database\n', '  - id: database\n    when: {step: dns}\n'),
    ['10:18 error steps[1].when: step "dns" is defined after "database"; a condition can only refer to an earlier step'],
  ],
  [
    'when names an unknown step',
    BASE.replace('  - id: database\n', '  - id: database\n    when: {step: prefligt, is: [succeeded, skipped]}\n'),
    ['10:18 error steps[1].when: no step has the id "prefligt" (did you mean "preflight"?); a condition can only refer to an earlier step'],
  ],
  [
    'when names itself',
    BASE.replace('  - id: database\n', '  - id: database\n    when: {step: database}\n'),
    ['10:18 error steps[1].when: step "database" refers to itself; a condition can only refer to an earlier step'],
  ],
  [
    'when as code',
    BASE.replace('when: {param: site, equals: east}', 'when: "site == east"'),
    ['15:11 error steps[2].when: a condition is a mapping such as {step: database, is: succeeded}; conditions are never evaluated as code'],
  ],
  [
    'unknown param in a template',
    BASE.replace('[echo, dns]', '[echo, "${params.sit}"]'),
    ['16:28 error steps[2].exec.command[1]: param "sit" is not defined (did you mean "site"?)'],
  ],
  [
    'unknown param in a condition',
    BASE.replace('{param: site, equals: east}', '{param: region, equals: east}'),
    [
      '5:3 warning params.site: param "site" is never used: refer to it as ${params.site} or remove it',
      '15:19 error steps[2].when.param: param "region" is not defined: declare it under params: (defined: recoverTo, site)',
    ],
  ],
  [
    'condition value outside the enum',
    BASE.replace('equals: east}', 'equals: north}'),
    ['15:33 error steps[2].when.equals: param "site" can never equal this: it must be one of east, west, not "north"'],
  ],
  [
    'malformed template',
    BASE.replace('[echo, dns]', '[echo, "${site}"]'),
    [
      '16:28 error steps[2].exec.command[1]: "${site}" is not a reference: use ${params.name} or ${env.NAME} (write "$${" for a literal "${")',
    ],
  ],
  [
    'two kinds in one step',
    BASE.replace('    exec: {command', '    wait: 5s\n    exec: {command'),
    ['17:5 error steps[2].exec: a step does exactly one thing: this step already has "wait"; move "exec" into a step of its own'],
  ],
  [
    'unknown step kind',
    BASE.replace('    exec: {command: [echo, dns], undo: [echo, undo]}', '    shell: {command: [echo]}'),
    [
      '16:5 error steps[2].shell: unknown key "shell"; allowed here: id, name, when, timeout, retry, onFailure, always and one of failover, failoverVapp, failoverPlan, check, wait, approval, exec or parallel',
    ],
  ],
  [
    'empty command',
    BASE.replace('[echo, dns]', '[]'),
    ['16:21 error steps[2].exec.command: the command must not be empty: give the program and its arguments, e.g. [echo, hello]'],
  ],
  [
    'bad restore point word',
    BASE.replace('{pointInTime: "${params.recoverTo}"}', 'newest'),
    [
      '13:21 error steps[1].failover.restorePoint: must be one of latest, latest-app-consistent, {interval: <datetime>} or {pointInTime: <datetime>}; got "newest"',
    ],
  ],
  [
    'interval and pointInTime together',
    BASE.replace('{pointInTime: "${params.recoverTo}"}', '{pointInTime: "${params.recoverTo}", interval: 2024-05-01T10:00:00Z}'),
    ['13:21 error steps[1].failover.restorePoint: give exactly one of interval or pointInTime, e.g. {pointInTime: 2024-05-01T10:30:00Z}'],
  ],
  [
    'concurrency 0',
    BASE.replace('      vms: [erp-db01]\n      restore', '      vms: [erp-db01]\n      concurrency: 0\n      restore'),
    ['13:20 error steps[1].failover.concurrency: must be at least 1; got 0'],
  ],
  [
    'wrong type',
    BASE.replace('vms: [erp-db01]\n      restore', 'vms: erp-db01\n      restore'),
    ['12:12 error steps[1].failover.vms: must be "all" or a list of names; got "erp-db01"'],
  ],
  [
    'missing id',
    BASE.replace('  - id: dns\n', '  - name: dns\n'),
    ['14:5 error steps[2]: missing required key "id" (unique step id, used by when conditions, logs and reports)'],
  ],
  [
    'bad param name',
    BASE.replace('  site:', '  dr-site:').replace(/params\.site/g, 'params.dr-site'),
    [
      '5:3 error params.dr-site: "dr-site" is not a valid param name: use letters, digits and _ (not starting with a digit) so it can be written ${params.name}',
    ],
  ],
  [
    'param default of the wrong type',
    BASE.replace('default: east}', 'default: 3}'),
    ['5:53 error params.site.default: the default must be a string, not 3'],
  ],
  [
    'before with undo',
    BASE.replace(
      '  - id: dns\n',
      '  - id: plan\n    failoverPlan: {plan: SHOP, action: undo, before: 2024-05-01T10:00:00Z}\n  - id: dns\n',
    ),
    ['15:46 error steps[2].failoverPlan.before: before only applies to action: start (undo always undoes the current failover); remove it'],
  ],
  [
    'parallel siblings',
    BASE.replace(
      '  - id: dns\n',
      '  - id: group\n    parallel:\n      - {id: a, wait: 1s}\n      - {id: b, wait: 1s, when: {step: a}}\n  - id: dns\n',
    ),
    [
      '17:40 error steps[2].parallel[1].when: step "a" runs in parallel with "b" (same parallel group), so its outcome is not known yet; move one of them out of the group',
    ],
  ],
  [
    'duplicate id inside parallel',
    BASE.replace('  - id: dns\n', '  - id: group\n    parallel:\n      - {id: database, wait: 1s}\n  - id: dns\n'),
    ['16:14 error steps[2].parallel[0].id: step id "database" is already used by steps[1]; give each step its own id'],
  ],
  [
    'zero wait',
    BASE.replace('  - id: dns\n', '  - id: pause\n    wait: 0s\n  - id: dns\n'),
    ['15:11 error steps[2].wait: a wait of 0 makes no sense: give a positive duration such as 30s'],
  ],
  [
    'check with nothing to check',
    BASE.replace('check: {cdpReplica: ERP-CDP, vms: [erp-db01], maxRpo: 15m}', 'check: {maxRpo: 15m}'),
    ['8:12 error steps[0].check: this check has nothing to check: add cdpReplica, vapp or failoverPlan'],
  ],
];

for (const [name, text, expected] of INVALID) {
  test(`invalid: ${name}`, () => {
    assert.equal(lines(text), expected);
    assert.not.ok(validateText('pb.yaml', text).playbook);
  });
}

test('all problems are reported at once, in source order', () => {
  const text = BASE.replace('version: 1', 'version: 3').replace('maxRpo: 15m', 'maxRpo: 15').replace('[echo, dns]', '[]');
  assert.equal(
    lines(text).map((l) => l.split(' ')[0]),
    ['1:10', '8:59', '16:21'],
  );
});

test.run();
