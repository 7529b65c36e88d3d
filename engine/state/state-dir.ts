// Where unattended runs keep their state: one directory per playbook folder by default
// (`.runbook/` beside the playbook), or `--state-dir DIR` (e.g. a persistent volume in CI).
//
//   <stateDir>/.gitignore           `*`: the state never ends up in the playbook repository
//   <stateDir>/locks/<key>.lock     one per playbook, held while a run is in progress
//   <stateDir>/runs/<runId>.jsonl   the append-only journal of each run

import { accessSync, constants, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { makeDirs } from './make-dirs.js';

export const STATE_DIR_NAME = '.runbook';

/** `.runbook/` beside the playbook file. */
export function defaultStateDir(playbookFile: string): string {
  return join(dirname(resolve(playbookFile)), STATE_DIR_NAME);
}

/**
 * The state directory a command should use: `--state-dir` wins, then the one beside
 * `--playbook`, then `.runbook/` in the working directory.
 */
export function resolveStateDir(options: { stateDir?: string | undefined; playbook?: string | undefined; cwd: string }): string {
  if (options.stateDir) return resolve(options.cwd, options.stateDir);
  if (options.playbook) return defaultStateDir(resolve(options.cwd, options.playbook));
  return join(resolve(options.cwd), STATE_DIR_NAME);
}

export function runsDir(stateDir: string): string {
  return join(stateDir, 'runs');
}

export function locksDir(stateDir: string): string {
  return join(stateDir, 'locks');
}

/**
 * Creates the layout (owner-only permissions) and its `.gitignore`; idempotent. A state dir
 * that cannot be used (a file, read-only, under /proc) is a user error, exit 2.
 */
export function ensureStateDir(stateDir: string): void {
  try {
    makeDirs(runsDir(stateDir), 0o700);
    makeDirs(locksDir(stateDir), 0o700);
    for (const dir of [runsDir(stateDir), locksDir(stateDir)]) accessSync(dir, constants.W_OK);
    const ignore = join(stateDir, '.gitignore');
    if (!existsSync(ignore)) writeFileSync(ignore, '# cdp-runbook run state: locks and journals\n*\n');
  } catch (error) {
    throw stateDirError(stateDir, error);
  }
}

const WHY: Record<string, string> = {
  ENOTDIR: 'is a file, or lies under one',
  EEXIST: 'is a file, or lies under one',
  ENOENT: 'cannot be created here (is it under /proc or /sys?)',
  EACCES: 'is not writable by this user',
  EPERM: 'is not writable by this user',
  EROFS: 'is on a read-only file system',
};

/** One line naming the path and the fix; errors that are not about the path stay bugs. */
export function stateDirError(stateDir: string, error: unknown): unknown {
  const why = WHY[(error as NodeJS.ErrnoException).code ?? ''];
  if (why === undefined) return error;
  return new UsageError(`state directory ${stateDir} ${why}: pass --state-dir DIR naming a writable directory (it is created if missing)`, {
    cause: error,
  });
}
