// A separate process that tries to take a playbook lock (test/lock.test.ts races several).
// Prints one JSON line: {won: true} or {won: false, exitCode, message}. A winner keeps the
// lock until its stdin closes, so losers cannot see it released.
import { acquireLock } from '../../engine/state/lock.js';
import type { RunbookError } from '../../engine/errors.js';

const [stateDir, playbook] = process.argv.slice(2) as [string, string];
// Start together: the parent says "go" once every racer is loaded, to make the race real.
process.stdout.write('ready\n');
process.stdin.once('data', () => attempt());

function attempt() {
  try {
    const lock = acquireLock(stateDir, playbook);
    process.stdout.write(`${JSON.stringify({ won: true, pid: process.pid })}\n`);
    process.stdin.on('end', () => {
      lock.release();
      process.exit(0);
    });
  } catch (error) {
    const e = error as RunbookError;
    process.stdout.write(`${JSON.stringify({ won: false, exitCode: e.exitCode, message: e.message })}\n`);
    process.exit(0);
  }
}
