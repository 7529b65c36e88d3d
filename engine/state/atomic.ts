// Whole-file writes that a reader (or a crash) never sees half done: temp file in the same
// directory, fsync, then rename over the target, or, exclusive, hard-link into place (fails
// when the target exists, so of two writers exactly one wins).

import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { makeDirs } from './make-dirs.js';

export function writeFileAtomic(file: string, text: string, mode = 0o644): void {
  renameSync(writeTemp(file, text, mode), file);
}

/** Writes the file unless it exists; false (and nothing written) when it does. */
export function createFileAtomic(file: string, text: string, mode = 0o644): boolean {
  const tmp = writeTemp(file, text, mode);
  try {
    linkSync(tmp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(tmp);
  }
}

/** The text in a fsynced temp file beside `file`; its path. */
function writeTemp(file: string, text: string, mode: number): string {
  makeDirs(dirname(file));
  const tmp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', mode);
  try {
    const data = Buffer.from(text, 'utf8');
    let written = 0;
    while (written < data.length) written += writeSync(fd, data, written);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(tmp);
    throw error;
  }
  closeSync(fd);
  return tmp;
}
