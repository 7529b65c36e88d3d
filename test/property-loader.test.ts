// Property: whatever bytes a playbook file holds, the loader answers with diagnostics
// (positioned, one line, no stack), never a thrown exception. Deterministic seeds.

import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateText } from '../engine/playbook/validate.js';

const GOOD =
  'version: 1\nname: P\nsteps:\n  - id: db\n    failover: {cdpReplica: C, vms: [a, b], restorePoint: latest}\n  - id: n\n    when: {step: db}\n    exec: {command: [echo]}\n';
const TOKENS = [
  '{',
  '}',
  '[',
  ']',
  ':',
  '- ',
  '&a ',
  '*a',
  '!!',
  '"',
  "'",
  '\t',
  '\n',
  '  ',
  '#',
  '|',
  '>',
  '%YAML 1.2\n',
  '---\n',
  '\u0000',
  '\uFEFF',
  'version: 1\n',
  '${params.x}',
  'when: ',
  'id: db',
];

function checkClean(text: string | Uint8Array): void {
  let r: ReturnType<typeof validateText>;
  try {
    r = validateText('prop.yaml', text);
  } catch (error) {
    assert.unreachable(`validateText threw: ${error instanceof Error ? error.stack : String(error)}`);
    return;
  }
  if (r.playbook) return;
  assert.ok(
    r.diagnostics.some((d) => d.severity === 'error'),
    'invalid without an error',
  );
  for (const d of r.diagnostics) {
    assert.ok(Number.isInteger(d.line) && d.line >= 1 && Number.isInteger(d.col) && d.col >= 1, `position ${d.line}:${d.col}`);
    assert.ok(d.message.length > 0);
    assert.not.match(d.message, /\n\s+at /);
  }
}

test('arbitrary unicode strings never throw', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => checkClean(s)),
    { numRuns: 300, seed: 424242 },
  );
});

test('arbitrary bytes never throw', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (b) => checkClean(b)),
    { numRuns: 300, seed: 99 },
  );
});

test('YAML-ish token soups never throw', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }), (parts) => checkClean(parts.join(''))),
    { numRuns: 400, seed: 7 },
  );
});

test('mutations of a valid playbook (insert, delete, replace) never throw', () => {
  assert.ok(validateText('good.yaml', GOOD).playbook, 'the seed playbook is valid');
  const edit = fc.tuple(fc.constantFrom('insert', 'delete', 'replace'), fc.nat(GOOD.length), fc.nat(8), fc.constantFrom(...TOKENS));
  fc.assert(
    fc.property(fc.array(edit, { minLength: 1, maxLength: 5 }), (edits) => {
      let text = GOOD;
      for (const [kind, at, len, token] of edits) {
        const i = Math.min(at, text.length);
        text =
          kind === 'insert'
            ? text.slice(0, i) + token + text.slice(i)
            : kind === 'delete'
              ? text.slice(0, i) + text.slice(i + len)
              : text.slice(0, i) + token + text.slice(i + token.length);
      }
      checkClean(text);
    }),
    { numRuns: 500, seed: 20261127 },
  );
});

test.run();
