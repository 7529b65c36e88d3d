// The engine in its own process: `runbook run` exactly as cli.ts runs it (the compiled
// dist/engine/commands/run.js, against a simulator on loopback), measured from inside:
// CPU time and wall time of the command alone (node startup and module loading excluded),
// and the process's peak RSS. The result goes back to the parent over IPC.

import { pathToFileURL } from 'node:url';
import type { Command, CommandIO } from '../../engine/commands/io.js';
import { distRunCommand } from './paths.js';

export interface EngineArgs {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
}

export interface EngineResult {
  exitCode: number;
  /** Thrown by the command (a user error), if any. */
  error?: string;
  wallMs: number;
  cpuMs: number;
  /** RSS when the command started, and the process's peak (both MB). */
  startRssMb: number;
  peakRssMb: number;
  stdout: string;
  stderr: string;
}

if (!process.send) {
  process.stderr.write('engine-child.ts is spawned by the bench with an IPC channel\n');
  process.exit(2);
}
const args = JSON.parse(process.argv[2] ?? '{}') as EngineArgs;
const { runCommand } = (await import(pathToFileURL(distRunCommand).href)) as { runCommand: Command };

let stdout = '';
let stderr = '';
const io: CommandIO = {
  stdout: { write: (t) => void (stdout += t), isTTY: false },
  stderr: { write: (t) => void (stderr += t), isTTY: false },
  env: args.env,
  cwd: args.cwd,
  signal: new AbortController().signal,
};

const startRssMb = process.memoryUsage().rss / 2 ** 20;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let exitCode = -1;
let error: string | undefined;
try {
  exitCode = await runCommand(args.argv, io);
} catch (e) {
  error = e instanceof Error ? e.message : String(e);
}
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const result: EngineResult = {
  exitCode,
  ...(error !== undefined ? { error } : {}),
  wallMs,
  cpuMs: (cpu.user + cpu.system) / 1000,
  startRssMb,
  peakRssMb: process.resourceUsage().maxRSS / 1024,
  stdout: stdout.slice(-4000),
  stderr: stderr.slice(-4000),
};
process.send(result, () => process.exit(0));
