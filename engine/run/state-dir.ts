// Where unattended runs keep their state: one directory per playbook folder by default
// (`.runbook/` beside the playbook), or `--state-dir DIR` (e.g. a persistent volume in CI).
//
//   <stateDir>/.gitignore           `*`: the state never ends up in the playbook repository
//   <stateDir>/locks/<key>.lock     one per playbook, held while a run is in progress
//   <stateDir>/runs/<runId>.jsonl   the append-only journal of each run

import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

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

/** Creates the layout (owner-only permissions) and its `.gitignore`; idempotent. */
export function ensureStateDir(stateDir: string): void {
  mkdirSync(runsDir(stateDir), { recursive: true, mode: 0o700 });
  mkdirSync(locksDir(stateDir), { recursive: true, mode: 0o700 });
  const ignore = join(stateDir, '.gitignore');
  if (!existsSync(ignore)) writeFileSync(ignore, '# cdp-runbook run state: locks and journals\n*\n');
}
