// Mutations and truncations of valid playbooks must only ever produce clean diagnostics:
// never a throw, every diagnostic positioned inside the text.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateText } from '../engine/playbook/validate.js';
import { playbooksDir } from './helpers/paths.js';

const sources = readdirSync(playbooksDir)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => readFileSync(join(playbooksDir, f), 'utf8'));
const TOKENS = [
  '',
  ' ',
  '\n',
  ':',
  '- ',
  '[',
  ']',
  '{',
  '}',
  '"',
  "'",
  '&a ',
  '*a',
  '!tag ',
  '0',
  '-1',
  'true',
  'null',
  '${params.x}',
  '${',
  '30',
  '5m',
  'all',
  '\t',
  '#',
  '---\n',
  '__proto__: 1\n',
  'id: x\n',
  '\u00e9',
  '\uFFFD',
];

function check(text: string): void {
  const r = validateText('fuzz.yaml', text);
  const lineCount = text.split('\n').length;
  for (const d of r.diagnostics) {
    assert.ok(d.line >= 1 && d.line <= lineCount + 1, `line ${d.line} of ${lineCount}`);
    assert.ok(d.col >= 1, 'col');
    assert.ok(d.message.length > 0 && !/\n\s+at /.test(d.message), 'message');
    assert.ok(['error', 'warning'].includes(d.severity));
  }
  if (r.playbook) assert.is(r.errors.length, 0);
  else assert.ok(r.errors.length > 0, `no playbook and no error for:\n${text}`);
}

test('mutated playbooks yield diagnostics, never exceptions', () => {
  fc.assert(
    fc.property(
      fc.nat(sources.length - 1),
      fc.array(fc.tuple(fc.nat(), fc.nat(12), fc.constantFrom(...TOKENS)), { minLength: 1, maxLength: 4 }),
      (which, edits) => {
        let text = sources[which]!;
        for (const [pos, del, insert] of edits) {
          const at = pos % (text.length + 1);
          text = text.slice(0, at) + insert + text.slice(at + del);
        }
        check(text);
      },
    ),
    { numRuns: 400, seed: 20240501 },
  );
});

test('truncations and line shuffles yield diagnostics, never exceptions', () => {
  fc.assert(
    fc.property(fc.nat(sources.length - 1), fc.nat(), fc.nat(), (which, cut, swap) => {
      const text = sources[which]!;
      check(text.slice(0, cut % (text.length + 1)));
      const lines = text.split('\n');
      const i = swap % lines.length;
      const j = (swap * 7) % lines.length;
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      check(lines.join('\n'));
    }),
    { numRuns: 300, seed: 7 },
  );
});

test('random structured documents yield diagnostics, never exceptions', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
      check(`version: 1\nname: fuzz\nsteps: ${JSON.stringify([value])}\n`);
      check(JSON.stringify(value));
    }),
    { numRuns: 300, seed: 42 },
  );
});

test.run();
