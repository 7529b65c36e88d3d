// `runbook validate` on an approval step: the string and object forms, templates checked like
// any other, and signers or a quorum above 1 only with an approvers block.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateText } from '../engine/playbook/validate.js';
import { ERP_BASE as BASE } from './helpers/playbook-base.js';

test('an approval step: a message (templates checked like any other), nothing else', () => {
  const gate = (body: string) => BASE.replace('  - id: dns\n', `  - id: gate\n    approval: ${body}\n    timeout: 4h\n  - id: dns\n`);
  assert.equal(validateText('pb.yaml', gate('"DBA checks erp-db01 (site ${params.site})"')).diagnostics, []);
  const playbook = validateText('pb.yaml', gate('check it')).playbook;
  const { retry: _retry, source: _source, ...step } = playbook!.steps[2]!;
  assert.equal(step, {
    id: 'gate',
    name: 'gate',
    kind: 'approval',
    message: 'check it',
    quorum: 1,
    timeoutMs: 14_400_000,
    onFailure: 'abort',
    always: false,
  });
  const lines = (text: string) => validateText('pb.yaml', text).diagnostics.map((d) => `${d.line}:${d.col} ${d.code}`);
  assert.equal(lines(gate('"for ${params.tikcet}"')), ['15:15 rule/unknown-param']);
  assert.equal(lines(gate('""')), ['15:15 schema/minLength']);
  // The object form: the same step, or who may sign and how many must (with an approvers block).
  const { retry: _r2, source: _s2, ...objectStep } = validateText('pb.yaml', gate('{message: check it}')).playbook!.steps[2]!;
  assert.equal(objectStep, step);
  const text = (t: string) => validateText('pb.yaml', t).diagnostics.map((d) => `${d.line}:${d.col} ${d.code} ${d.message}`);
  assert.equal(text(gate('{message: x, signers: [alice], quorum: 2}')), [
    '15:37 rule/approvers steps[2].approval.signers: signers need signed decisions: add approvers: {allowedSigners: FILE} to the playbook',
    '15:54 rule/approvers steps[2].approval.quorum: a quorum of 2 needs signed decisions (distinct signers can only be told apart by their keys): add approvers: {allowedSigners: FILE}',
  ]);
  assert.equal(lines(gate('{message: x, quorum: 0}')), ['15:36 schema/minimum']);
  assert.equal(lines(gate('{signers: [a]}')), ['15:15 schema/required']);
});

test.run();
