// `runbook validate` warnings that leave a playbook valid (literal secrets, an argv not split),
// and the env references that are not flagged.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateText } from '../engine/playbook/validate.js';
import { ERP_BASE as BASE, diagnosticLines as lines } from './helpers/playbook-base.js';

const WARNINGS: [string, string, string[]][] = [
  [
    'literal secret in exec env',
    BASE.replace('undo: [echo, undo]}', 'undo: [echo, undo], env: {DNS_API_TOKEN: abc123}}'),
    [
      '16:75 warning steps[2].exec.env.DNS_API_TOKEN: DNS_API_TOKEN looks like a secret written into the playbook: pass it through as DNS_API_TOKEN: ${env.DNS_API_TOKEN} and set it where the runbook runs',
    ],
  ],
  [
    'password= in an argument',
    BASE.replace('[echo, dns]', '[nsupdate, "password=s3cret"]'),
    [
      '16:32 warning steps[2].exec.command[1]: this argument looks like it carries a literal secret: read it from the environment with ${env.NAME} instead',
    ],
  ],
  [
    'argv not split',
    BASE.replace('[echo, dns]', '["echo dns"]'),
    [
      '16:22 warning steps[2].exec.command[0]: "echo dns" is one argument, so it runs a program with that whole name; split it, e.g. [echo, dns], or set shell: true',
    ],
  ],
];

for (const [name, text, expected] of WARNINGS) {
  test(`warning only, still valid: ${name}`, () => {
    const r = validateText('pb.yaml', text);
    assert.equal(lines(text), expected);
    assert.ok(r.playbook);
    assert.is(r.errors.length, 0);
    assert.is(r.warnings.length, 1);
  });
}

test('env references in secrets are not flagged', () => {
  const r = validateText(
    'pb.yaml',
    BASE.replace('undo: [echo, undo]}', 'undo: [echo, undo], env: {DNS_API_TOKEN: "${env.DNS_API_TOKEN}"}}'),
  );
  assert.equal(r.diagnostics, []);
});

test.run();
