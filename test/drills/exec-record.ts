// Exec steps in a drill: recorded, never spawned. A drill must not touch the host, and a
// child process is real I/O the auto FakeClock would leap over (to the step's timeout), so
// the same schedule could end differently. `false` exits 1 (a failing step), anything
// else exits 0, as `true` would.

import type { ExecRunner } from '../../engine/run/exec-runner.js';

export function recordingExec(): { runner: ExecRunner; commands: string[][] } {
  const commands: string[][] = [];
  const runner: ExecRunner = {
    run: (request) => {
      commands.push([...request.command]);
      if (request.signal?.aborted) return Promise.resolve({ exitCode: null, output: '', error: 'aborted' });
      return Promise.resolve({ exitCode: request.command[0] === 'false' ? 1 : 0, output: '' });
    },
  };
  return { runner, commands };
}
