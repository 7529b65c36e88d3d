// The house rules a reader relies on, checked on every run: imports point down only
// (cli.ts -> commands -> report -> run -> plan -> state -> api/simulator -> playbook -> the
// ground floor), no source or test file over 300 lines, no function over 80, no source line
// over 140.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { repoRoot } from './helpers/paths.js';

/** Floors, lowest first. A file may import its own folder or a lower floor. */
const FLOOR: Record<string, number> = {
  ground: 0,
  playbook: 1,
  api: 2,
  simulator: 3,
  state: 4,
  plan: 5,
  run: 6,
  report: 7,
  commands: 8,
  cli: 9,
};

function sources(dir: string): string[] {
  return readdirSync(join(repoRoot, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(repoRoot, path)).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const files = ['cli.ts', ...sources('engine')];
/** Every .ts file under test/: suites, helpers, drills, bench, fixtures. */
const testFiles = sources('test');

/** Lines as an editor or `wc -l` counts them: a final newline ends the last line, it opens no new one. */
function lineCount(text: string): number {
  const lines = text.split('\n').length;
  return text.endsWith('\n') ? lines - 1 : lines;
}

/** `engine/run/x.ts` -> `run`; `engine/errors.ts` -> `ground`; `cli.ts` -> `cli`. */
function room(path: string): string {
  if (path === 'cli.ts') return 'cli';
  const parts = path.split('/');
  return parts.length === 2 ? 'ground' : (parts[1] ?? 'ground');
}

function imports(path: string): string[] {
  const text = readFileSync(join(repoRoot, path), 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1] ?? '');
  return specs.map((s) => normalize(join(dirname(path), s)).replace(/\.js$/, '.ts'));
}

test('every import points to the same folder or a lower floor', () => {
  const upward: string[] = [];
  for (const file of files) {
    const from = room(file);
    for (const target of imports(file)) {
      const to = room(target);
      if (from === to) continue;
      const [a, b] = [FLOOR[from], FLOOR[to]];
      assert.ok(a !== undefined && b !== undefined, `${file}: unknown folder ${from} or ${to} (add it to FLOOR)`);
      if (b >= a) upward.push(`${file} -> ${target}`);
    }
  }
  assert.equal(upward, [], `imports that run upward or sideways:\n${upward.join('\n')}`);
});

test('no source or test file over 300 lines, no source line over 140 characters', () => {
  const long: string[] = [];
  for (const file of [...files, ...testFiles]) {
    const lines = lineCount(readFileSync(join(repoRoot, file), 'utf8'));
    const how = file.startsWith('test/') ? 'split it by concept, shared setup into test/helpers/' : 'split it';
    if (lines > 300) long.push(`${file}: ${lines} lines (over 300: ${how})`);
  }
  for (const file of files) {
    const lines = readFileSync(join(repoRoot, file), 'utf8').split('\n');
    for (const [i, l] of lines.entries()) if (l.length > 140) long.push(`${file}:${i + 1}: ${l.length} characters (over 140)`);
  }
  assert.equal(long, [], `files over 300 lines (cli.ts, engine/**, test/**) or source lines over 140 characters:\n${long.join('\n')}`);
});

/**
 * Function bodies by brace matching from each line that opens one (a declaration, a method or
 * an arrow function ending the line with `{`). Strings and comments are blanked first, so
 * braces inside them do not count. Nested functions count toward the outer one, as a reader
 * reads them.
 */
export function longFunctions(text: string, limit: number): string[] {
  const code = text
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/\/\/[^\n]*/g, '')
    .replace(/'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`/g, (m) => m.replace(/[^\n]/g, ' '));
  const lines = code.split('\n');
  // A line that opens a body: a declaration, a method, an arrow; or the `) {` / `): T {` that
  // ends a parameter list the formatter wrapped over several lines.
  const opener =
    /(\bfunction\b[^{]*|=>\s*|^\s*(?:(?:public|private|protected|static|async|override|get|set)\s+)*[\w$]+\s*\([^)]*\)\s*(?::[^{]+)?|^\s*\)\s*(?::[^{]+)?)\{\s*$/;
  const out: string[] = [];
  for (const [start, line] of lines.entries()) {
    if (!opener.test(line)) continue;
    let depth = 0;
    for (let i = start; i < lines.length; i++) {
      for (const ch of lines[i] ?? '') {
        if (ch === '{') depth++;
        else if (ch === '}') depth--;
      }
      if (depth <= 0) {
        const length = i - start + 1;
        if (length > limit) out.push(`line ${start + 1}: ${length} lines`);
        break;
      }
    }
  }
  return out;
}

test('the function-length check finds a long function (it can fail)', () => {
  const body = Array.from({ length: 81 }, (_, i) => `  const a${i} = ${i};`).join('\n');
  assert.equal(longFunctions(`function f() {\n${body}\n}\n`, 80), ['line 1: 83 lines']);
  assert.equal(longFunctions(`const g = async (x: number) => {\n  return '{{{';\n};\n`, 80), []);
  const wrapped = `export function h(\n  a: number,\n): number {\n${body}\n}\n`;
  assert.equal(longFunctions(wrapped, 80), ['line 3: 83 lines'], 'a signature wrapped over lines still opens a body');
});

test('no function over 80 lines', () => {
  const long = files.flatMap((file) => longFunctions(readFileSync(join(repoRoot, file), 'utf8'), 80).map((l) => `${file}: ${l}`));
  assert.equal(long, []);
});

test('the checks see the whole tree', () => {
  assert.ok(files.length > 100, `${files.length} files`);
  assert.ok(files.every((f) => !relative(repoRoot, join(repoRoot, f)).startsWith('..')));
  assert.ok(testFiles.length > 100 && testFiles.includes('test/helpers/paths.ts'), `${testFiles.length} test files`);
  assert.is(lineCount('a\nb\n'), 2);
  assert.is(lineCount('a\nb'), 2);
});

test.run();
