import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateText } from '../engine/playbook/validate.js';
import { ERP_BASE, diagnosticLines as lines } from './helpers/playbook-base.js';

// Schema errors in some steps no longer hide the rule problems of the others: one
// `runbook validate` shows both, and the steps it could not read cause no false alarms.
const BASE = ERP_BASE.replace('{type: string, enum: [east, west], default: east}', '{type: string, default: east}')
  .replace('when: {param: site, equals: east}', 'when: {step: database}')
  .replace('exec: {command: [echo, dns], undo: [echo, undo]}', 'exec: {command: [echo, "dns ${params.site}"]}');

test('the base playbook is valid', () => {
  assert.equal(lines(BASE), []);
});

test('a schema error in one step and a rule problem in another are reported together', () => {
  const text = BASE.replace('maxRpo: 15m', 'maxRpo: 15').replace('when: {step: database}', 'when: {step: databse}');
  assert.equal(lines(text), [
    '8:59 error steps[0].check.maxRpo: 15 has no unit: write a duration like 30s, 5m or 1h30m',
    '15:18 error steps[2].when: no step has the id "databse" (did you mean "database"?); a condition can only refer to an earlier step',
  ]);
  assert.not.ok(validateText('pb.yaml', text).playbook);
});

test('a condition naming a step that failed the schema is not flagged', () => {
  const text = BASE.replace('vms: [erp-db01]\n      restorePoint', 'vms: [erp-db01]\n      colour: red\n      restorePoint');
  assert.equal(lines(text), [
    '13:7 error steps[1].failover.colour: unknown key "colour"; allowed here: cdpReplica, vms, restorePoint, concurrency',
  ]);
});

test('when the bad part is the id itself, the other steps are still checked', () => {
  const text = BASE.replace('- id: database', '- id: "data base"')
    .replace('    when: {step: database}\n', '')
    .replace('"dns ${params.site}"', '"dns ${params.sit}"');
  const out = lines(text);
  assert.equal(
    out.map((l) => l.split(' ').slice(0, 3).join(' ')),
    ['9:9 error steps[1].id:', '15:28 error steps[2].exec.command[1]:'],
  );
  assert.match(out[1]!, /param "sit" is not defined/);
});

test('a param used only by a step that failed the schema is not called unused', () => {
  const text = BASE.replace('maxRpo: 15m', 'maxRpo: 15').replace('"dns ${params.site}"', 'dns');
  assert.equal(lines(text), ['8:59 error steps[0].check.maxRpo: 15 has no unit: write a duration like 30s, 5m or 1h30m']);
  // Once that step is fixed, the whole playbook is seen: site is now unused.
  const fixed = BASE.replace('"dns ${params.site}"', 'dns');
  assert.equal(
    lines(fixed).map((l) => l.split(' ').slice(0, 3).join(' ')),
    ['5:3 warning params.site:'],
  );
});

test('a parallel group with a bad child stands aside as a whole; its children can still be named', () => {
  const text = BASE.replace(
    '  - id: dns\n',
    '  - id: group\n    parallel:\n      - {id: a, wait: 1s}\n      - {id: b, wait: soon}\n  - id: after\n    when: {step: b}\n    wait: 1s\n  - id: dns\n',
  ).replace('when: {step: database}', 'when: {step: nowhere}');
  const out = lines(text);
  assert.equal(
    out.map((l) => l.split(' ').slice(0, 3).join(' ')),
    ['17:23 error steps[2].parallel[1].wait:', '22:18 error steps[4].when:'],
  );
  assert.match(out[1]!, /no step has the id "nowhere"/);
});

test('a step reusing the id of a step that failed the schema is still reported', () => {
  const text = BASE.replace('maxRpo: 15m', 'maxRpo: 15')
    .replace('- id: dns', '- id: preflight')
    .replace('    when: {step: database}\n', '');
  const out = lines(text);
  assert.equal(
    out.map((l) => l.split(' ').slice(0, 3).join(' ')),
    ['8:59 error steps[0].check.maxRpo:', '14:9 error steps[2].id:'],
  );
  assert.match(out[1]!, /step id "preflight" is already used by steps\[0\]/);
});

test('a bad name, description, server, targets or defaults block does not hold back the rules of the steps', () => {
  const typo = (text: string) => text.replace('when: {step: database}', 'when: {step: databse}');
  const codes = (text: string) => validateText('pb.yaml', text).diagnostics.map((d) => `${d.line}:${d.col} ${d.code}`);
  assert.equal(codes(typo(BASE.replace('name: ERP failover', 'name: ""'))), ['2:7 schema/minLength', '15:18 rule/condition-order']);
  assert.equal(codes(typo(BASE.replace('name: ERP failover\n', ''))), ['1:1 schema/required', '14:18 rule/condition-order']);
  assert.equal(codes(typo(BASE.replace('params:', 'server: {url: "https://em01:9398", timeout: 30}\nparams:'))), [
    '3:45 schema/duration',
    '16:18 rule/condition-order',
  ]);
  assert.equal(codes(typo(BASE.replace('params:', 'targets: {rto: 1h, rpo: 5}\nparams:'))), [
    '3:25 schema/duration',
    '16:18 rule/condition-order',
  ]);
  assert.equal(codes(typo(BASE.replace('params:', 'description: [a, b]\nparams:'))), ['3:14 schema/type', '16:18 rule/condition-order']);
  // The steps then read the built-in defaults: a zero timeout there is not blamed on every step.
  assert.equal(codes(typo(BASE.replace('params:', 'defaults: {timeout: 0s, onFailure: explode}\nparams:'))), [
    '3:36 schema/enum',
    '16:18 rule/condition-order',
  ]);
});

test('with the server block standing aside, a param it uses is not called unused; with only the name, one nothing uses is', () => {
  const text = BASE.replace('params:', 'server: {url: "https://${params.em}:9398", timeout: 30}\nparams:\n  em: {type: string}');
  const codes = (t: string) => validateText('pb.yaml', t).diagnostics.map((d) => d.code);
  assert.equal(codes(text), ['schema/duration']);
  const unused = BASE.replace('name: ERP failover', 'name: ""').replace('params:', 'params:\n  spare: {type: string}');
  assert.equal(codes(unused), ['schema/minLength', 'rule/unused-param']);
});

test('a step above targets.rpo is not judged against targets that failed the schema', () => {
  const text = BASE.replace('params:', 'targets: {rpo: 5}\nparams:');
  assert.equal(
    validateText('pb.yaml', text).diagnostics.map((d) => d.code),
    ['schema/duration'],
  );
  // With the targets fixed, the step is judged against them.
  const valid = BASE.replace('params:', 'targets: {rpo: 5m}\nparams:');
  assert.equal(
    validateText('pb.yaml', valid).diagnostics.map((d) => d.code),
    ['rule/rpo-target'],
  );
});

test('a misspelt top-level key holds the rules back (the steps may read through what it meant)', () => {
  const text = BASE.replace('params:', 'parms:').replace('when: {step: database}', 'when: {step: databse}');
  assert.equal(
    validateText('pb.yaml', text).diagnostics.map((d) => d.code),
    ['schema/unknown-key'],
  );
});

test('an error outside the steps still holds the rules back (they read every step through it)', () => {
  const text = BASE.replace('version: 1', 'version: 2').replace('when: {step: database}', 'when: {step: databse}');
  assert.equal(lines(text), ['1:10 error version: must be 1 (the only playbook language version so far); got 2']);
});

test.run();
