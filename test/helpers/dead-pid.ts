import { spawnSync } from 'node:child_process';

/** The pid of a process that has exited (so `kill(pid, 0)` gives ESRCH), for stale-lock and crashed-run tests. */
export function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  if (!child.pid) throw new Error('could not spawn a child process');
  return child.pid;
}
