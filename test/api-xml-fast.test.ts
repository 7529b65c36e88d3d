// The one-pass XML reader (engine/api/xml-fast.ts) against fast-xml-parser: on every XML
// fixture, on random documents, and on randomly broken ones it must either build the very
// same tree or step aside (undefined), never accept what XMLValidator rejects.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fc from 'fast-check';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir } from './helpers/paths.js';
import { parsePlainXml } from '../engine/api/xml-fast.js';
import { parseFull, parseXml, REPEATED_ELEMENTS } from '../engine/api/xml.js';

/** fast-xml-parser's tree, or 'malformed'; the declaration key dropped (parseXml ignores it). */
function reference(text: string): unknown {
  try {
    const tree = parseFull(text);
    delete tree['?xml'];
    return tree;
  } catch {
    // A rejected document: the fast reader must step aside for it.
    return 'malformed';
  }
}

function fast(text: string): unknown {
  const tree = parsePlainXml(text, REPEATED_ELEMENTS);
  if (tree) delete tree['?xml'];
  return tree;
}

function xmlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return xmlFiles(path);
    return name.endsWith('.xml') ? [path] : [];
  });
}

test('every XML fixture: the same tree as fast-xml-parser, and most take the fast path', () => {
  const files = xmlFiles(fixturesDir);
  assert.ok(files.length > 10, `fixtures found: ${files.length}`);
  let fastCount = 0;
  for (const file of files) {
    const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '').trim();
    const mine = fast(text);
    if (mine === undefined) continue;
    fastCount++;
    assert.equal(mine, reference(text), file);
  }
  assert.ok(fastCount >= files.length / 2, `fast path taken for ${fastCount} of ${files.length}`);
});

test('a 200-task GET /tasks answer takes the fast path and reads like the full parser', () => {
  const task = (i: number) =>
    `  <Task Type="Task" Href="https://em:9398/api/tasks/task-${i}">\n    <Links>\n      <Link Rel="Delete" Type="Task" Href="https://em:9398/api/tasks/task-${i}" />\n    </Links>\n    <TaskId>task-${i}</TaskId>\n    <State>${i % 2 ? 'Finished' : 'Running'}</State>\n    <Operation>CdpReplicaFailover</Operation>\n${i % 2 ? '    <Result Success="true">\n      <Message>ok</Message>\n    </Result>\n' : ''}  </Task>`;
  const text = `<?xml version="1.0" encoding="utf-8"?>\n<Tasks xmlns="http://www.veeam.com/ent/v1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n${Array.from({ length: 200 }, (_, i) => task(i)).join('\n')}\n</Tasks>`;
  const mine = fast(text);
  assert.ok(mine !== undefined);
  assert.equal(mine, reference(text));
  assert.equal(parseXml(text).body, (reference(text) as Record<string, unknown>)['Tasks']);
});

test('malformed documents still fail with the full parser\'s message', () => {
  for (const bad of ['<Task><TaskId>1</Task>', '<Task>', '<A/><B/>', '<A x="1" x="2"/>', 'text<A/>', '<A></B>']) {
    assert.throws(() => parseXml(bad), /malformed XML/, bad);
  }
});

// ---------------------------------------------------------------------------- random documents

const names = ['Task', 'Tasks', 'Link', 'Links', 'Ref', 'Name', 'State', 'Result', 'Message', 'a:Item', 'Href', 'x'];
const attrNames = ['Href', 'Type', 'Rel', 'Name', 'Success', 'xmlns', 'xmlns:a', 'a:Uid', 'Message'];
const textArb = fc.stringMatching(/^[ A-Za-z0-9.:\/\-"'\n]{0,12}$/);

type El = { name: string; attrs: [string, string, string][]; kids: El[]; text: string; selfClose: boolean; pad: string };
const { el } = fc.letrec<{ el: El }>((tie) => ({
  el: fc.record({
    name: fc.constantFrom(...names),
    attrs: fc.array(fc.tuple(fc.constantFrom(...attrNames), textArb, fc.constantFrom('"', "'")), { maxLength: 3 }),
    kids: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.constant([]), fc.array(tie('el'), { maxLength: 4 })),
    text: fc.oneof(fc.constant(''), textArb),
    selfClose: fc.boolean(),
    pad: fc.constantFrom('', ' ', '\n  '),
  }) as fc.Arbitrary<El>,
}));

function render(e: El): string {
  const attrs = e.attrs.map(([n, v, q]) => ` ${n}=${q}${v.replaceAll(q, '')}${q}`).join('');
  if (e.selfClose && e.kids.length === 0 && e.text === '') return `<${e.name}${attrs}${e.pad}/>`;
  return `<${e.name}${attrs}${e.pad}>${e.text}${e.kids.map((k) => e.pad + render(k)).join('')}${e.pad}</${e.name}>`;
}

const declaration = fc.constantFrom('', '<?xml version="1.0" encoding="utf-8"?>\n', "<?xml version='1.0'?>");

test('random documents: the same tree, or the fast reader steps aside', () => {
  fc.assert(
    fc.property(declaration, el, (decl, root) => {
      const text = decl + render(root);
      const mine = fast(text);
      if (mine !== undefined) assert.equal(mine, reference(text), text);
    }),
    { numRuns: 3000 },
  );
});

test('randomly broken documents: never accepted when fast-xml-parser rejects them', () => {
  fc.assert(
    fc.property(declaration, el, fc.nat(), fc.constantFrom('<', '>', '/', '"', '=', ' ', 'x', '&', ''), (decl, root, at, ch) => {
      const good = decl + render(root);
      const pos = at % (good.length + 1);
      const text = good.slice(0, pos) + ch + good.slice(pos + 1);
      const mine = fast(text);
      if (mine !== undefined) assert.equal(mine, reference(text), text);
    }),
    { numRuns: 5000 },
  );
});

test.run();
