// @ts-check
// The engine in its own process: `runbook run` exactly as cli.ts runs it (the compiled
// dist/engine/commands/run.js, against a simulator on loopback), measured from inside:
// CPU time and wall time of the command alone (node startup and module loading excluded),
// and the process's peak RSS. The result goes back to the parent over IPC.
// Plain JavaScript on purpose: run without tsx, nothing but the engine lives in this
// process (tsx's loader thread alone adds ~50 MB of RSS and its own CPU).

import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

if (!process.send) {
  process.stderr.write('engine-child.mjs is spawned by the bench with an IPC channel\n');
  process.exit(2);
}
const send = process.send.bind(process);
/** @type {import('./engine-process.js').EngineArgs} */
const args = JSON.parse(process.argv[2] ?? '{}');
if (args.diagNoFsync) {
  // Diagnostic only (--diag-no-fsync): what the run costs when the journal's per-line
  // fsync is free, to size that cost. Never used for the reported engine numbers.
  const fs = await import('node:fs');
  const { syncBuiltinESMExports } = await import('node:module');
  fs.default.fsyncSync = () => undefined;
  syncBuiltinESMExports();
}
const runJs = fileURLToPath(new URL('../../dist/engine/commands/run.js', import.meta.url));
/** @type {{ runCommand: import('../../engine/io.js').Command }} */
const { runCommand } = await import(pathToFileURL(runJs).href);

let stdout = '';
let stderr = '';
/** @type {import('../../engine/io.js').CommandIO} */
const io = {
  stdout: {
    write: (t) => {
      stdout += t;
    },
    isTTY: false,
  },
  stderr: {
    write: (t) => {
      stderr += t;
    },
    isTTY: false,
  },
  env: args.env,
  cwd: args.cwd,
  signal: new AbortController().signal,
};

const startRssMb = process.memoryUsage().rss / 2 ** 20;
const main0 = mainThreadCpuMs();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let exitCode = -1;
/** @type {string | undefined} */
let error;
try {
  exitCode = await runCommand(args.argv, io);
} catch (e) {
  error = e instanceof Error ? e.message : String(e);
}
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const main1 = mainThreadCpuMs();
/** @type {import('./engine-process.js').EngineResult} */
const result = {
  exitCode,
  ...(error !== undefined ? { error } : {}),
  wallMs,
  cpuMs: (cpu.user + cpu.system) / 1000,
  ...(main0 !== undefined && main1 !== undefined ? { mainThreadCpuMs: main1 - main0 } : {}),
  startRssMb,
  peakRssMb: process.resourceUsage().maxRSS / 1024,
  stdout: stdout.slice(-4000),
  stderr: stderr.slice(-4000),
};
send(result, () => process.exit(0));

/**
 * CPU time of the main (JavaScript) thread, from Linux's /proc (10 ms ticks; undefined
 * elsewhere). The rest of the process's CPU is V8's background threads (TurboFan compiling
 * hot functions, concurrent marking and parallel scavenging) and libuv's pool (fsync).
 */
function mainThreadCpuMs() {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}
