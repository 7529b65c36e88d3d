// Every relative link and every #anchor in the README and the reference pages resolves, the way
// GitHub renders them, and the README stays the short page it is meant to be.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { anchors, links, markdownPages, slug } from './helpers/markdown.js';
import { repoRoot } from './helpers/paths.js';

const REFERENCE_PAGES = [
  'README.md',
  'playbooks/README.md',
  'playbooks/OPERATIONS.md',
  'engine/simulator/README.md',
  'engine/api/README.md',
  'test/bench/README.md',
  'test/drills/README.md',
];

interface Pages {
  read(path: string): string;
  /** A file (any kind) exists at this path, relative to the repository. */
  exists(path: string): boolean;
}

/** Problems with the links of `page`: `page:line: target: why`. */
function brokenLinks(pages: Pages, page: string): string[] {
  const problems: string[] = [];
  for (const { target, line } of links(pages.read(page))) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: ...: not ours to check offline
    const [path, anchor] = target.split('#', 2) as [string, string | undefined];
    const file = path === '' ? page : normalize(join(dirname(page), decodeURI(path)));
    const where = `${page}:${line}: ${target}`;
    if (file.startsWith('..') || !pages.exists(file)) problems.push(`${where}: no such file ${file}`);
    else if (anchor === undefined) continue;
    else if (!file.endsWith('.md')) problems.push(`${where}: an anchor into a file that is not a Markdown page`);
    else if (!anchors(pages.read(file)).has(anchor)) problems.push(`${where}: no heading with anchor #${anchor} in ${file}`);
  }
  return problems;
}

const repo: Pages = {
  read: (p) => readFileSync(join(repoRoot, p), 'utf8'),
  exists: (p) => existsSync(join(repoRoot, p)),
};
const fromRepo = repo.read;

test("slugs are GitHub's: lower case, code and punctuation dropped, each space a hyphen", () => {
  assert.is(slug('`runbook plan`: the dry run'), 'runbook-plan-the-dry-run');
  assert.is(slug('Going on after a partial run (`--resume`)'), 'going-on-after-a-partial-run---resume');
  assert.is(slug('After a failure: status, rollback, resume'), 'after-a-failure-status-rollback-resume');
  assert.is(slug('What an `exec` command sees'), 'what-an-exec-command-sees');
  assert.is(slug("Answers that are not EM's"), 'answers-that-are-not-ems');
  assert.is(slug('Performance (`npm run bench`)'), 'performance-npm-run-bench');
});

test('repeated headings get -1, -2; a # line inside a code block is not a heading', () => {
  const a = anchors('# Top\n## Options\n```sh\n# not a heading\n```\n## Options\n### Options\n');
  assert.equal([...a], ['top', 'options', 'options-1', 'options-2']);
});

test('the checker finds a missing file, a missing anchor and a bad anchor into another page', () => {
  const pages: Record<string, string> = {
    'a.md': '# A\n## Real one\n[ok](#real-one) [ok](b/c.md#there) [gone](#nope) [gone](b/x.md) [bad](b/c.md#nope)\n`[code](#nope)`\n',
    'b/c.md': '# C\n## There\n[up](../a.md#real-one) [web](https://example.com/#x)\n',
  };
  const mem: Pages = { read: (p) => pages[p]!, exists: (p) => p in pages };
  assert.equal(brokenLinks(mem, 'a.md'), [
    'a.md:3: #nope: no heading with anchor #nope in a.md',
    'a.md:3: b/x.md: no such file b/x.md',
    'a.md:3: b/c.md#nope: no heading with anchor #nope in b/c.md',
  ]);
  assert.equal(brokenLinks(mem, 'b/c.md'), []);
});

test('the README and every reference page exist, and the README stays short (≤ 400 lines)', () => {
  for (const p of REFERENCE_PAGES) assert.ok(existsSync(join(repoRoot, p)), `${p} is missing`);
  const lines = fromRepo('README.md').split('\n').length;
  assert.ok(lines <= 400, `README.md has ${lines} lines`);
});

test('the README links every reference page', () => {
  const targets = new Set(links(fromRepo('README.md')).map((l) => l.target.split('#')[0]));
  for (const p of REFERENCE_PAGES.slice(1)) assert.ok(targets.has(p), `README.md does not link ${p}`);
});

test("no page or example points an editor at a schema URL: modelines name the installed package's schema", () => {
  const examples = readdirSync(join(repoRoot, 'playbooks'))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => `playbooks/${f}`);
  const bad = [...markdownPages(repoRoot), ...examples].flatMap((p) =>
    [...repo.read(p).matchAll(/yaml-language-server: \$schema=(\S+)/g)]
      .filter((m) => /^[a-z]+:/i.test(m[1]!) || !m[1]!.includes('node_modules/cdp-runbook/schemas/'))
      .map((m) => `${p}: ${m[0]}`),
  );
  assert.equal(bad, []);
});

for (const page of markdownPages(repoRoot)) {
  test(`${page}: every relative link and #anchor resolves`, () => {
    assert.equal(brokenLinks(repo, page), []);
  });
}

test.run();
