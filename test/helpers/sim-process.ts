// `runbook sim` as its own process, the way a user runs it: spawned from the built CLI on a
// free port; resolves once it prints the URL it listens on.

import { spawn } from 'node:child_process';
import { cliPath, repoRoot } from './paths.js';

export interface Running {
  url: string;
  stdout: () => string;
  stderr: () => string;
  stop: (signal: NodeJS.Signals) => Promise<number | null>;
}

export function startSim(args: string[], env: Record<string, string> = {}): Promise<Running> {
  const child = spawn(process.execPath, [cliPath, 'sim', '--port', '0', ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
  });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no URL line within 20s; stdout: ${out} stderr: ${err}`));
    }, 20_000);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)\/api\//.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          stdout: () => out,
          stderr: () => err,
          stop: async (signal) => {
            child.kill(signal);
            return exited;
          },
        });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before listening: ${err}`));
    });
  });
}
