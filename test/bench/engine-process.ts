// Parent side of engine-child.mjs: `runbook run` in a process of its own (plain node, no tsx).

import { fork } from 'node:child_process';
import { join } from 'node:path';
import { benchDir, repoRoot } from './paths.js';

export interface EngineArgs {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** Diagnostic: the engine's fsyncSync becomes a no-op (sizes the journal's fsync cost). */
  diagNoFsync?: boolean;
}

export interface EngineResult {
  exitCode: number;
  /** Thrown by the command (a user error), if any. */
  error?: string;
  wallMs: number;
  cpuMs: number;
  /** Of cpuMs, the main thread's (Linux only): the rest is V8's JIT and GC threads and libuv's pool. */
  mainThreadCpuMs?: number;
  /** RSS when the command started, and the process's peak (both MB). */
  startRssMb: number;
  peakRssMb: number;
  stdout: string;
  stderr: string;
  /** Process warnings the engine printed (e.g. MaxListenersExceededWarning) and the first one. */
  warnings?: { count: number; first: string };
}

export interface EngineRunOptions {
  /** Write a V8 CPU profile of the engine process there (--cpu-prof). */
  profileDir?: string;
  /** Node/V8 flags for the engine process, on node's command line (execArgv). */
  nodeOptions?: string[];
}

export function runEngineProcess(args: EngineArgs, options: EngineRunOptions = {}): Promise<EngineResult> {
  const { profileDir, nodeOptions = [] } = options;
  const child = fork(join(benchDir, 'engine-child.mjs'), [JSON.stringify(args)], {
    cwd: repoRoot,
    execArgv: [...nodeOptions, ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [])],
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  let processStderr = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (processStderr += c));
  return new Promise((resolve, reject) => {
    let result: EngineResult | undefined;
    child.once('message', (m: EngineResult) => (result = m));
    child.once('error', reject);
    child.once('close', (code) => {
      if (!result) return reject(new Error(`engine process exited with ${code} without a result: ${processStderr.slice(-2000)}`));
      const warnings = processStderr.split('\n').filter((l) => /^\(node:\d+\) \w*Warning/.test(l));
      resolve(
        warnings.length > 0
          ? { ...result, warnings: { count: warnings.length, first: warnings[0]!.replace(/^\(node:\d+\) /, '') } }
          : result,
      );
    });
  });
}
