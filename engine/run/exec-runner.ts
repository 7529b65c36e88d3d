// Running `exec` steps (and their undo). An interface, so unit tests of the executor need
// no OS; the default spawns the argv directly (no shell unless the step asks for one).

import { spawn } from 'node:child_process';

export interface ExecRequest {
  command: string[];
  shell: boolean;
  /** The complete environment for the child (base env plus the step's env). */
  env: Record<string, string | undefined>;
  cwd: string;
  /** Kills the child (SIGTERM) when aborted: step timeout or interrupt. */
  signal?: AbortSignal;
  /** Each line of output as it comes (for progress). */
  onOutput?: (line: string) => void;
}

export interface ExecResult {
  /** null when the child was killed by a signal or could not start. */
  exitCode: number | null;
  /** Combined stdout and stderr, truncated to its last 8 KiB. */
  output: string;
  /** Why it could not start (ENOENT…), or the signal that killed it. */
  error?: string;
}

export interface ExecRunner {
  run(request: ExecRequest): Promise<ExecResult>;
}

const MAX_OUTPUT = 8192;

export const spawnExecRunner: ExecRunner = {
  run(req) {
    return new Promise<ExecResult>((resolve) => {
      const [file, ...args] = req.command;
      if (file === undefined) return resolve({ exitCode: null, output: '', error: 'empty command' });
      const child = req.shell
        ? spawn(req.command.join(' '), {
            shell: true,
            cwd: req.cwd,
            env: req.env,
            stdio: ['ignore', 'pipe', 'pipe'],
            ...(req.signal ? { signal: req.signal } : {}),
          })
        : spawn(file, args, {
            cwd: req.cwd,
            env: req.env,
            stdio: ['ignore', 'pipe', 'pipe'],
            ...(req.signal ? { signal: req.signal } : {}),
          });
      let output = '';
      let partial = '';
      let startError: string | undefined;
      const onData = (d: Buffer) => {
        const text = d.toString();
        output = (output + text).slice(-MAX_OUTPUT);
        const lines = (partial + text).split('\n');
        partial = lines.pop() ?? '';
        for (const l of lines) req.onOutput?.(l);
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.on('error', (error: NodeJS.ErrnoException) => {
        // An abort also lands here (AbortError); the close event still follows when it ran.
        startError = error.name === 'AbortError' ? 'aborted' : `${error.code ?? error.name}: ${error.message}`;
        if (child.pid === undefined) resolve({ exitCode: null, output, error: startError });
      });
      child.on('close', (code, signal) => {
        if (partial) req.onOutput?.(partial);
        resolve({
          exitCode: code,
          output,
          ...(startError ? { error: startError } : signal ? { error: `killed by ${signal}` } : {}),
        });
      });
    });
  },
};
