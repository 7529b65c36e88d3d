#!/usr/bin/env node
// The only process-aware file: argv, exit codes, signal handlers, TTY detection.
// Commands are imported lazily so `--help` and argument errors stay fast.

import { createInterface } from 'node:readline/promises';
import type { Command, CommandIO } from './engine/io.js';
import { terminalSafe } from './engine/terminal-safe.js';
import { ExitCode, InterruptedError, RunbookError, signalExitCode, type StopSignal } from './engine/errors.js';

const VERSION = '0.1.0';

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  validate: {
    summary: 'check playbooks offline (for pull requests)',
    load: async () => (await import('./engine/commands/validate.js')).validateCommand,
  },
  plan: {
    summary: 'dry run: resolve names, run checks, print the exact calls',
    load: async () => (await import('./engine/commands/plan.js')).planCommand,
  },
  run: {
    summary: 'execute a playbook with progress and rollback',
    load: async () => (await import('./engine/commands/run.js')).runCommand,
  },
  sim: { summary: 'serve the Enterprise Manager simulator', load: async () => (await import('./engine/commands/sim.js')).simCommand },
  status: {
    summary: 'show recent runs and what an interrupted run left',
    load: async () => (await import('./engine/commands/status.js')).statusCommand,
  },
  rollback: {
    summary: 'stop what an interrupted run left running',
    load: async () => (await import('./engine/commands/rollback.js')).rollbackCommand,
  },
  approve: {
    summary: 'approve (or reject) an approval step of a running run',
    load: async () => (await import('./engine/commands/approve.js')).approveCommand,
  },
  report: {
    summary: 'render a run as a self-contained HTML report',
    load: async () => (await import('./engine/commands/report.js')).reportCommand,
  },
};

const HELP = `runbook ${VERSION}: declarative DR runbooks for Veeam Backup Enterprise Manager CDP failover

Usage: runbook <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`)
  .join('\n')}

Run 'runbook <command> --help' for a command's options.

Exit codes:
  0    success
  1    the run failed (the output says what rollback did and what remains)
  2    invalid playbook or arguments
  3    preflight failed (a check failed or a name did not resolve)
  4    cannot connect to or authenticate with Enterprise Manager
  5    another run of this playbook holds the lock, or the last run left
       requests whose outcome is unknown (see runbook run --help)
  70   internal error (a bug: please report it)
  129  interrupted by SIGHUP (the terminal went away)
  130  interrupted by SIGINT, 143 by SIGTERM
`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(HELP);
    return name ? ExitCode.ok : ExitCode.invalidInput;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${VERSION}\n`);
    return ExitCode.ok;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    process.stderr.write(`runbook: unknown command "${name}"\n\n${HELP}`);
    return ExitCode.invalidInput;
  }

  const controller = new AbortController();
  const forcedExitHooks: (() => void)[] = [];
  // Only `run` has work to roll back; the simulator and the read-only commands just stop.
  const stopping = name === 'run' ? 'stopping new work and rolling back' : 'stopping';
  let interrupts = 0;
  const onSignal = (signal: StopSignal) => {
    interrupts++;
    // A dropped SSH session (SIGHUP) takes the terminal with it: later writes may fail.
    if (signal === 'SIGHUP') terminalGone = true;
    if (interrupts === 1) {
      process.stderr.write(`\nrunbook: ${signal} received: ${stopping} (press Ctrl-C again to exit at once)\n`);
      controller.abort(new InterruptedError(signal));
      return;
    }
    // Second signal: the journal is written line by line, so what was started is already
    // recorded; the hooks add that the run was cut short, then we leave at once.
    for (const hook of forcedExitHooks) {
      try {
        hook();
      } catch {
        // Exiting anyway: a failing hook must not keep the process alive.
      }
    }
    process.stderr.write(`runbook: second ${signal}: exiting now; see 'runbook status' for what was left\n`);
    process.exit(signalExitCode(signal));
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  // Without a handler SIGHUP kills the process on the spot: no rollback, no run-end, a stale lock.
  process.on('SIGHUP', () => onSignal('SIGHUP'));

  const io: CommandIO = {
    // Text from EM, params and playbooks is escaped on its way to the terminal; only the
    // progress view's renderer writes raw (it escapes what it draws).
    stdout: {
      write: (t) => void process.stdout.write(terminalSafe(t)),
      writeRaw: (t) => void process.stdout.write(t),
      isTTY: process.stdout.isTTY === true,
    },
    stderr: {
      write: (t) => void process.stderr.write(terminalSafe(t)),
      writeRaw: (t) => void process.stderr.write(t),
      isTTY: process.stderr.isTTY === true,
    },
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
    onForcedExit: (hook) => void forcedExitHooks.push(hook),
    ...(process.stdin.isTTY ? { prompt: ask } : {}),
  };

  try {
    const command = await entry.load();
    return await command(rest, io);
  } catch (error) {
    return report(error);
  }
}

async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(terminalSafe(question));
  } finally {
    rl.close();
  }
}

function report(error: unknown): number {
  if (error instanceof RunbookError && error.userFacing) {
    process.stderr.write(`runbook: ${terminalSafe(error.message)}\n`);
    return error.exitCode;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`runbook: internal error (this is a bug, please report it):\n${terminalSafe(detail)}\n`);
  return ExitCode.internal;
}

// Set on SIGHUP: the terminal is gone, so output errors are dropped and the run finishes
// its rollback, journal and reports instead of dying on a write.
let terminalGone = false;
const onOutputError = (error: NodeJS.ErrnoException) => {
  if (terminalGone && (error.code === 'EPIPE' || error.code === 'EIO')) return;
  // A closed pipe (`runbook status | head`) is not an error worth a stack trace.
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
};
process.stdout.on('error', onOutputError);
process.stderr.on('error', onOutputError);

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = report(error);
  },
);
