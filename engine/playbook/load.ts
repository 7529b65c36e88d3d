// Reading and parsing a playbook file: size, encoding and YAML safety checks, with every
// problem as a positioned Diagnostic. Nothing here throws for bad input.

import { readFile, stat } from 'node:fs/promises';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Diagnostic } from '../errors.js';
import { diagnosticAt, fileDiagnostic, type Source } from './positions.js';

export const MAX_FILE_BYTES = 1024 * 1024;
export const MAX_DEPTH = 64;
export const MAX_ALIASES = 100;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export interface Parsed {
  source: Source;
  /** The document as plain data; present only when parsing found no error. */
  data?: unknown;
  diagnostics: Diagnostic[];
}

/** Reads a file and parses it; unreadable, oversized or binary files become diagnostics. */
export async function loadSource(file: string): Promise<Parsed | { diagnostics: Diagnostic[] }> {
  let size: number;
  try {
    const st = await stat(file);
    if (st.isDirectory())
      return fail(
        file,
        'load/is-directory',
        `${file} is a directory, not a playbook file: name a .yaml file, ` +
          `or pass the directory to "runbook validate" to check every playbook in it`,
      );
    if (!st.isFile()) return fail(file, 'load/not-a-file', `${file} is not a regular file`);
    size = st.size;
  } catch (error) {
    return fail(file, 'load/unreadable', unreadable(file, error));
  }
  if (size > MAX_FILE_BYTES) {
    return fail(
      file,
      'load/too-large',
      `${file} is ${(size / 1048576).toFixed(1)} MiB; a playbook may be at most 1 MiB: is this the right file?`,
    );
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    return fail(file, 'load/unreadable', unreadable(file, error));
  }
  return decodeAndParse(file, bytes);
}

/** Checks bytes are UTF-8 text, then parses. Separate from I/O so tests and fuzzing need no files. */
export function decodeAndParse(file: string, bytes: Uint8Array): Parsed | { diagnostics: Diagnostic[] } {
  if (bytes.length > MAX_FILE_BYTES) {
    return fail(file, 'load/too-large', `${file} is larger than 1 MiB; a playbook may be at most 1 MiB`);
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    const { line, col } = lineColOf(new TextDecoder().decode(bytes.subarray(0, nul)));
    return fail(file, 'load/binary', 'this is a binary file (it contains NUL bytes), not a YAML playbook', line, col);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // fatal decoding says only "invalid"; decode leniently to find where.
    const lenient = new TextDecoder('utf-8').decode(bytes);
    const { line, col } = lineColOf(lenient.slice(0, Math.max(0, lenient.indexOf('\uFFFD'))));
    return fail(file, 'load/encoding', 'the file is not valid UTF-8: save it as UTF-8 text', line, col);
  }
  return parseText(file, text);
}

/** Parses YAML text into a Document and plain data, rejecting what a playbook never needs. */
export function parseText(file: string, text: string): Parsed {
  const lineCounter = new LineCounter();
  const source: Source = { file, text, lineCounter };
  const diagnostics: Diagnostic[] = [];
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, resolveKnownTags: false, merge: false });
  } catch (error) {
    // The parser recurses per nesting level; absurd nesting exhausts the stack.
    return {
      source,
      diagnostics: [
        diagnosticAt(
          source,
          { offset: 0, length: 1 },
          'error',
          'yaml/too-deep',
          `the YAML could not be parsed (${error instanceof RangeError ? 'nested far too deeply' : String(error)})`,
        ),
      ],
    };
  }
  source.doc = doc;
  for (const e of doc.errors.slice(0, 20)) {
    diagnostics.push(
      diagnosticAt(
        source,
        { offset: e.pos[0], length: e.pos[1] - e.pos[0] },
        'error',
        `yaml/${e.code.toLowerCase().replace(/_/g, '-')}`,
        yamlMessage(e.code, e.message, text, e.pos[0]),
      ),
    );
  }
  for (const w of doc.warnings) {
    const at = { offset: w.pos[0], length: w.pos[1] - w.pos[0] };
    if (w.code === 'TAG_RESOLVE_FAILED') {
      const tag = /^!\S*/.exec(text.slice(w.pos[0]))?.[0] ?? 'tag';
      diagnostics.push(
        diagnosticAt(
          source,
          at,
          'error',
          'yaml/unknown-tag',
          `unknown tag ${tag}: a playbook holds plain values only; ` +
            `remove the tag (secrets go in server.password as {env: NAME} or {file: PATH})`,
        ),
      );
    } else {
      diagnostics.push(diagnosticAt(source, at, 'warning', `yaml/${w.code.toLowerCase().replace(/_/g, '-')}`, w.message));
    }
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { source, diagnostics };

  const structural = checkStructure(source, doc);
  diagnostics.push(...structural);
  if (structural.length > 0) return { source, diagnostics };
  try {
    const data: unknown = doc.toJS({ maxAliasCount: MAX_ALIASES });
    return { source, data, diagnostics };
  } catch (error) {
    const alias = firstAlias(doc);
    const message =
      error instanceof ReferenceError
        ? `aliases expand too much (more than ${MAX_ALIASES} copies): this looks like an alias bomb; write the values out instead`
        : `the YAML could not be converted to data: ${error instanceof Error ? error.message : String(error)}`;
    return { source, diagnostics: [diagnosticAt(source, alias ?? { offset: 0, length: 1 }, 'error', 'yaml/alias-bomb', message)] };
  }
}

/** Keys that could reach Object.prototype, non-string keys and runaway nesting. Iterative, so depth cannot overflow. */
function checkStructure(source: Source, doc: Document.Parsed): Diagnostic[] {
  const out: Diagnostic[] = [];
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 1 }];
  while (stack.length > 0 && out.length < 20) {
    const { node, depth } = stack.pop()!;
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth > MAX_DEPTH) {
      out.push(
        diagnosticAt(
          source,
          rangeOf(node),
          'error',
          'yaml/too-deep',
          `nesting is deeper than ${MAX_DEPTH} levels; a playbook never needs that`,
        ),
      );
      break;
    }
    if (isSeq(node)) {
      for (const item of node.items) stack.push({ node: item, depth: depth + 1 });
      continue;
    }
    for (const pair of node.items) {
      const key = pair.key;
      if (!isScalar(key) || (typeof key.value !== 'string' && typeof key.value !== 'number' && typeof key.value !== 'boolean')) {
        out.push(
          diagnosticAt(source, rangeOf(key), 'error', 'yaml/complex-key', 'keys must be plain names, not mappings, lists or aliases'),
        );
        continue;
      }
      if (FORBIDDEN_KEYS.has(String(key.value))) {
        out.push(
          diagnosticAt(source, rangeOf(key), 'error', 'yaml/forbidden-key', `"${String(key.value)}" is not allowed as a key: remove it`),
        );
      }
      stack.push({ node: pair.value, depth: depth + 1 });
    }
  }
  return out;
}

function firstAlias(doc: Document.Parsed): { offset: number; length: number } | undefined {
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isAlias(node)) return rangeOf(node);
    // Pushed in reverse so the first alias in document order is found first.
    if (isSeq(node)) stack.push(...[...node.items].reverse());
    else if (isMap(node)) stack.push(...node.items.map((p) => p.value).reverse());
  }
  return undefined;
}

function rangeOf(node: unknown): { offset: number; length: number } {
  const range = (node as Node | null)?.range;
  return range ? { offset: range[0], length: Math.max(1, range[1] - range[0]) } : { offset: 0, length: 1 };
}

function yamlMessage(code: string, message: string, text: string, offset: number): string {
  switch (code) {
    case 'DUPLICATE_KEY': {
      const key = /^[^:\n]*/.exec(text.slice(offset))?.[0].trim() ?? '';
      return `duplicate key${key ? ` "${key}"` : ''}: each key may appear once in a mapping; remove or merge the repeated one`;
    }
    case 'MULTIPLE_DOCS':
      return 'a playbook file holds exactly one YAML document: remove the "---" that starts a second one, or split the file';
    case 'RESOURCE_EXHAUSTION':
      return 'the YAML is nested far too deeply to parse; a playbook never needs that';
    case 'TAB_AS_INDENT':
      return 'tabs cannot indent YAML: indent with spaces';
    default:
      return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  }
}

function fail(file: string, code: string, message: string, line = 1, col = 1): { diagnostics: Diagnostic[] } {
  return { diagnostics: [fileDiagnostic(file, code, message, line, col)] };
}

function unreadable(file: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return `${file} does not exist: check the path`;
  if (code === 'EACCES' || code === 'EPERM') return `${file} cannot be read: permission denied`;
  return `${file} cannot be read${code ? ` (${code})` : ''}`;
}

function lineColOf(prefix: string): { line: number; col: number } {
  const lines = prefix.split('\n');
  return { line: lines.length, col: (lines[lines.length - 1]?.length ?? 0) + 1 };
}
