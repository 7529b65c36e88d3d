// `mkdir -p` without Node's recursive mkdir, which loops forever (100% CPU, deaf to
// signals) on paths under /proc where mkdir answers ENOENT for a parent that exists.

import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** Creates `dir` and its missing parents; throws the first errno error unchanged. */
export function makeDirs(dir: string, mode = 0o777): void {
  const missing: string[] = [];
  let at = dir;
  for (;;) {
    try {
      if (!statSync(at).isDirectory())
        throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), { code: 'ENOTDIR', path: at });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(at) === at) throw error;
      missing.push(at);
      at = dirname(at);
    }
  }
  // Each parent exists now, so each mkdir either succeeds or fails for good: no retry loop.
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d, { mode });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
