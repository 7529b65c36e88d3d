// Parent side of engine-child.ts.

import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { EngineArgs, EngineResult } from './engine-child.js';
import { benchDir, repoRoot } from './paths.js';

/** `profileDir`: write a V8 CPU profile of the engine process there (--cpu-prof). */
export function runEngineProcess(args: EngineArgs, profileDir?: string): Promise<EngineResult> {
  const child = fork(join(benchDir, 'engine-child.ts'), [JSON.stringify(args)], {
    cwd: repoRoot,
    execArgv: ['--import', 'tsx', ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let result: EngineResult | undefined;
    child.once('message', (m: EngineResult) => (result = m));
    child.once('error', reject);
    child.once('exit', (code) => (result ? resolve(result) : reject(new Error(`engine process exited with ${code} without a result`))));
  });
}
