import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateFile, validateText } from '../engine/playbook/validate.js';

const first = (content: string | Uint8Array) => {
  const d = validateText('pb.yaml', content).diagnostics[0]!;
  return `${d.line}:${d.col} ${d.code} ${d.message}`;
};

test('YAML-level problems are positioned diagnostics', () => {
  assert.is(
    first('version: 1\nname: a\nname: b\nsteps: []\n'),
    '3:1 yaml/duplicate-key duplicate key "name": each key may appear once in a mapping; remove or merge the repeated one',
  );
  assert.is(
    first('version: 1\nname: !vault x\n'),
    '2:7 yaml/unknown-tag unknown tag !vault: a playbook holds plain values only; remove the tag (secrets go in server.password as {env: NAME} or {file: PATH})',
  );
  assert.is(
    first('version: 1\n---\nname: x\n'),
    '2:1 yaml/multiple-docs a playbook file holds exactly one YAML document: remove the "---" that starts a second one, or split the file',
  );
  assert.is(first('version: 1\n__proto__: {x: 1}\n'), '2:1 yaml/forbidden-key "__proto__" is not allowed as a key: remove it');
  assert.is(first('version: 1\nsteps:\n  - constructor: 1\n'), '3:5 yaml/forbidden-key "constructor" is not allowed as a key: remove it');
  assert.is(first('a: [1, 2\n'), '2:1 yaml/bad-indent Flow sequence in block collection must be sufficiently indented and end with a ]');
  assert.is(first(''), '1:1 schema/empty the file is empty: a playbook needs at least version: 1, name and steps');
  assert.is(first('- a\n- b\n'), '1:1 schema/type (top level): must be a mapping, not a list');
});

test('alias bombs, deep nesting, binary and non-UTF-8 input are refused', () => {
  const bomb = ['a: &a [x,x,x,x,x,x,x,x,x,x]'];
  for (const n of 'bcdefg')
    bomb.push(
      `${n}: &${n} [${Array(10)
        .fill(`*${String.fromCharCode(n.charCodeAt(0) - 1)}`)
        .join(',')}]`,
    );
  assert.match(first(bomb.join('\n')), /^2:\d+ yaml\/alias-bomb aliases expand too much/);
  assert.match(first(`a: ${'['.repeat(10_000)}${']'.repeat(10_000)}`), /yaml\/(too-deep|resource-exhaustion) .*(deep)/);
  assert.match(first(`a: ${'['.repeat(100)}${']'.repeat(100)}`), /^1:\d+ yaml\/too-deep nesting is deeper than 64 levels/);
  assert.is(
    first(new Uint8Array([0x76, 0x3a, 0x0a, 0x00, 0x01])),
    '2:1 load/binary this is a binary file (it contains NUL bytes), not a YAML playbook',
  );
  assert.is(first(new Uint8Array([0x61, 0x3a, 0x20, 0xff, 0xfe])), '1:4 load/encoding the file is not valid UTF-8: save it as UTF-8 text');
  assert.match(first('x'.repeat(1024 * 1024 + 1)), /load\/too-large/);
});

test('directories, missing and oversized files are reported, not thrown', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pbload-'));
  mkdirSync(join(dir, 'sub.yaml'));
  writeFileSync(join(dir, 'big.yaml'), Buffer.alloc(2 * 1024 * 1024, 0x61));
  const codes = async (f: string) => (await validateFile(f)).diagnostics.map((d) => `${d.code} ${d.message}`);
  assert.equal(await codes(join(dir, 'sub.yaml')), [
    `load/is-directory ${join(dir, 'sub.yaml')} is a directory, not a playbook file: name a .yaml file, or pass the directory to "runbook validate" to check every playbook in it`,
  ]);
  assert.equal(await codes(join(dir, 'nope.yaml')), [`load/unreadable ${join(dir, 'nope.yaml')} does not exist: check the path`]);
  assert.equal(await codes(join(dir, 'big.yaml')), [
    `load/too-large ${join(dir, 'big.yaml')} is 2.0 MiB; a playbook may be at most 1 MiB: is this the right file?`,
  ]);
});

test.run();
