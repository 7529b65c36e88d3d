// Parent side of sim-child.ts: start the simulator in its own process over loopback.

import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Inventory } from '../../engine/simulator/index.js';
import { benchDir, repoRoot } from './paths.js';
import { unpackLog, type LogEntry, type PackedEntry } from './sim-log.js';

export interface SimProcess {
  url: string;
  /** The request log so far and the simulator process's CPU time since it started serving. */
  log(): Promise<{ log: LogEntry[]; cpuMs: number }>;
  close(): Promise<void>;
}

/** `profileDir`: write a V8 CPU profile of the simulator process there (is EM the bottleneck?). */
export async function startSimProcess(inventory: Inventory, profileDir?: string): Promise<SimProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-sim-'));
  const file = join(dir, 'inventory.json');
  writeFileSync(file, JSON.stringify(inventory));
  const child = fork(join(benchDir, 'sim-child.ts'), [file], {
    cwd: repoRoot,
    execArgv: ['--import', 'tsx', ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`simulator process exited with ${code} before it was ready`)));
    child.once('message', (m: { type: string; url: string }) => resolve(m.url));
  });
  child.removeAllListeners('exit');
  return {
    url,
    log: () => request(child),
    close: async () => {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ type: 'close' });
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function request(child: ChildProcess): Promise<{ log: LogEntry[]; cpuMs: number }> {
  return new Promise((resolve) => {
    child.once('message', (m: { log: PackedEntry[]; cpuMs: number }) => resolve({ log: unpackLog(m.log), cpuMs: m.cpuMs }));
    child.send({ type: 'log' });
  });
}
