// A state dir other users can write is one where they can drop approval decisions or alter
// a journal: `run` refuses it before anything is sent. Kept apart from the layout code
// (state-dir.ts) so other state-dir checks can sit beside it.

import { statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { readPasswd } from './file-owner.js';

export type DirStat = (path: string) => { mode: number; uid: number };

/** Throws UsageError (exit 2) when the state dir (or a folder in it) is not safely ours. */
export function refuseUnsafeStateDir(
  stateDir: string,
  o: { stat?: DirStat; uid?: number | undefined; passwd?: () => Map<number, string> } = {},
): void {
  const stat = o.stat ?? statSync;
  const uid = 'uid' in o ? o.uid : process.getuid?.();
  if (uid === undefined) return; // no POSIX owners here (Windows): nothing to compare
  for (const path of [stateDir, ...['runs', 'locks', 'approvals'].map((d) => join(stateDir, d))]) {
    let st: { mode: number; uid: number };
    try {
      st = stat(path);
    } catch {
      continue; // not made yet: ensureStateDir makes it owner-only
    }
    const name = (id: number) => (o.passwd ?? readPasswd)().get(id) ?? `uid ${id}`;
    if (st.uid !== uid) {
      throw new UsageError(
        `state dir ${path} is owned by ${name(st.uid)}, not by you (${name(uid)}): ` +
          `its owner could drop approval decisions or alter journals. ` +
          `Use a state dir of your own (--state-dir DIR), or take it over: ` +
          `sudo chown -R ${name(uid)} ${stateDir} && chmod -R go-w ${stateDir}`,
      );
    }
    if ((st.mode & 0o022) !== 0) {
      const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
      throw new UsageError(
        `state dir ${path} can be written by other users (mode ${mode}): ` +
          `they could drop approval decisions or alter journals. Fix: chmod -R go-w ${stateDir}`,
      );
    }
  }
}
