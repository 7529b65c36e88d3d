import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateFile } from '../engine/playbook/validate.js';
import { playbooksDir } from './helpers/paths.js';

const files = readdirSync(playbooksDir).filter((f) => /\.ya?ml$/.test(f));

test('there are at least three example playbooks', () => {
  assert.ok(files.length >= 3, `found ${files.length}`);
});

for (const f of files) {
  test(`playbooks/${f} is valid with no warnings and carries the schema modeline`, async () => {
    const r = await validateFile(join(playbooksDir, f));
    assert.equal(r.diagnostics, []);
    assert.ok(r.playbook);
    assert.match(readFileSync(join(playbooksDir, f), 'utf8'), /^# yaml-language-server: \$schema=\.\.\/schemas\/playbook\.schema\.json$/m);
  });
}

test.run();
