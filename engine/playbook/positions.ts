// Source positions: JSON-pointer-like paths into the YAML document → line:col, and the
// Diagnostic factory every stage uses.

import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { Diagnostic } from '../errors.js';

export type Path = readonly (string | number)[];

export interface Source {
  /** The file as the user named it; used in messages. */
  file: string;
  text: string;
  lineCounter: LineCounter;
  doc?: Document.Parsed;
}

export interface Located {
  offset: number;
  length: number;
}

/** Finds the node (or, with `key`, the key) a path points at; falls back to the nearest ancestor. */
export function locatePath(source: Source, path: Path, options: { key?: boolean } = {}): Located {
  let node: unknown = source.doc?.contents;
  let best: Located = { offset: 0, length: 1 };
  const take = (n: unknown) => {
    const range = (n as Node | null)?.range;
    if (range) best = { offset: range[0], length: Math.max(1, range[1] - range[0]) };
  };
  take(node);
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      if ((last && options.key) || pair.value === null || pair.value === undefined) {
        take(pair.key);
        if (!last) break;
        node = pair.key;
        continue;
      }
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)];
      if (item === undefined || item === null) break;
      node = item;
    } else {
      break;
    }
    take(node);
    if (isAlias(node)) break;
  }
  return best;
}

/** A Diagnostic at an offset, with the source line and a span clipped to that line. */
export function diagnosticAt(source: Source, at: Located, severity: Diagnostic['severity'], code: string, message: string): Diagnostic {
  const offset = Math.min(Math.max(0, at.offset), source.text.length);
  const { line, col } = source.text.length === 0 ? { line: 1, col: 1 } : source.lineCounter.linePos(offset);
  const lineStart = source.lineCounter.lineStarts[line - 1] ?? 0;
  let lineEnd = source.text.indexOf('\n', lineStart);
  if (lineEnd === -1) lineEnd = source.text.length;
  const sourceLine = source.text.slice(lineStart, lineEnd).replace(/\r$/, '');
  const span = Math.max(1, Math.min(at.length, sourceLine.length - (col - 1)));
  const d: Diagnostic = { file: source.file, line, col, severity, code, message, span };
  // Very long lines (minified or garbage input) are not worth echoing.
  if (sourceLine.length <= 500) d.sourceLine = sourceLine;
  return d;
}

export function diagnosticAtPath(
  source: Source,
  path: Path,
  severity: Diagnostic['severity'],
  code: string,
  message: string,
  options: { key?: boolean } = {},
): Diagnostic {
  return diagnosticAt(source, locatePath(source, path, options), severity, code, message);
}

/** `steps[2].failover.vms[1]`: the path as a reader would say it. */
export function humanPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number' || /^\d+$/.test(seg)) out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out || '(top level)';
}

/** A position with no parsed document (unreadable file, binary input). */
export function fileDiagnostic(file: string, code: string, message: string, line = 1, col = 1): Diagnostic {
  return { file, line, col, severity: 'error', code, message };
}
