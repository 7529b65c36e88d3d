// Reading the project's Markdown pages for the doc tests: which pages there are, their fenced
// blocks, their links and their headings' anchors (GitHub's slugs). Pure apart from listing files.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const SKIP = new Set(['node_modules', 'dist', '.git', '.runbook']);

/** Every *.md of the repository (paths relative to `root`), sorted. */
export function markdownPages(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (SKIP.has(e.name)) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.md')) out.push(relative(root, p));
    }
  };
  walk(root);
  return out.sort();
}

export interface Fence {
  /** The info string after the opening fence, e.g. `sh runnable`. */
  info: string;
  body: string;
  /** 1-based lines of the opening and the closing fence. */
  line: number;
  end: number;
}

/** The fenced code blocks (``` or ~~~) of a page, in order. */
export function fences(text: string): Fence[] {
  const out: Fence[] = [];
  const lines = text.split('\n');
  let open: { marker: string; info: string; line: number; body: string[] } | undefined;
  lines.forEach((l, i) => {
    const m = /^ {0,3}(`{3,}|~{3,})\s*(.*)$/.exec(l);
    if (open) {
      if (m && m[1]!.startsWith(open.marker) && m[2] === '') {
        out.push({ info: open.info, body: open.body.join('\n'), line: open.line, end: i + 1 });
        open = undefined;
      } else open.body.push(l);
    } else if (m) open = { marker: m[1]!, info: m[2]!.trim(), line: i + 1, body: [] };
  });
  return out;
}

/** The page's lines with fenced blocks blanked, same line numbers. */
function outsideFences(text: string): string[] {
  const lines = text.split('\n');
  const inFence = new Set<number>();
  for (const f of fences(text)) for (let n = f.line; n <= f.end; n++) inFence.add(n);
  return lines.map((l, i) => (inFence.has(i + 1) ? '' : l));
}

/** Outside fenced blocks and inline code: where a link is a link. */
function prose(text: string): string[] {
  return outsideFences(text).map((l) => l.replace(/(`+)[^`]*?\1/g, ''));
}

export interface Link {
  target: string;
  line: number;
}

/** Inline Markdown links `[text](target)` outside code. */
export function links(text: string): Link[] {
  const out: Link[] = [];
  prose(text).forEach((l, i) => {
    for (const m of l.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) out.push({ target: m[1]!, line: i + 1 });
  });
  return out;
}

/** GitHub's anchor for a heading: lower case, inline code and punctuation dropped, spaces to '-'. */
export function slug(heading: string): string {
  return heading
    .replace(/`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a page's ATX headings, with GitHub's -1, -2 suffixes for repeats. */
export function anchors(text: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  for (const l of outsideFences(text)) {
    const m = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(l);
    if (!m) continue;
    const base = slug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}
