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
    // The modeline a copied example needs in a runbook repo (playbooks/ beside node_modules/): relative
    // to the file, to the installed package's schema; never a URL (docs: playbooks/README.md#editor-support).
    const first = readFileSync(join(playbooksDir, f), 'utf8').split('\n')[0];
    assert.is(first, '# yaml-language-server: $schema=../node_modules/cdp-runbook/schemas/playbook.schema.json');
  });
}

test.run();
