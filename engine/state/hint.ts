// Commands printed for the operator to paste: each must run as printed, from where it was
// printed. Paths are shell-quoted, and `--state-dir` is named whenever the command would
// not find the state directory by itself (its default: state-dir.ts).

import { resolve } from 'node:path';
import { STATE_DIR_NAME, defaultStateDir } from './state-dir.js';

/** One POSIX shell word: left bare when safe, else single-quoted. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `runbook ARGS…`, quoted. */
export function runbookCommand(...args: string[]): string {
  return ['runbook', ...args].map(shellQuote).join(' ');
}

/**
 * `--state-dir DIR` for a command run in `cwd` without `--playbook` (`status`, `rollback`,
 * `approve`, `report`): empty when DIR is that default (`.runbook` in cwd).
 */
export function stateDirArgs(stateDir: string, cwd: string): string[] {
  return resolve(stateDir) === resolve(cwd, STATE_DIR_NAME) ? [] : ['--state-dir', stateDir];
}

/** `--state-dir DIR` for `runbook run PLAYBOOK`: empty when DIR is the one beside the playbook. */
export function runStateDirArgs(stateDir: string, playbookFile: string): string[] {
  return resolve(stateDir) === defaultStateDir(playbookFile) ? [] : ['--state-dir', stateDir];
}
