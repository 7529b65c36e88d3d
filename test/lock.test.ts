import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock } from '../engine/clock.js';
import { LockedError } from '../engine/errors.js';
import { acquireLock, lockFileName, lockPath, processIsAlive } from '../engine/state/lock.js';
import { defaultStateDir } from '../engine/state/state-dir.js';
import { deadPid } from './helpers/dead-pid.js';
import { repoRoot } from './helpers/paths.js';

const setup = () => {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-lock-'));
  const playbook = join(dir, 'erp failover.yaml');
  writeFileSync(playbook, 'version: 1\n');
  return { dir, playbook, stateDir: defaultStateDir(playbook) };
};

test('the lock lives in .runbook/locks beside the playbook, keyed by slug + hash of the absolute path', () => {
  const { dir, playbook, stateDir } = setup();
  assert.is(stateDir, join(dir, '.runbook'));
  const clock = new FakeClock({ start: Date.parse('2026-11-27T10:22:33Z') });
  const lock = acquireLock(stateDir, playbook, { pid: 4242, hostname: 'host-a', clock });
  assert.is(lock.path, lockPath(stateDir, playbook));
  assert.match(lockFileName(playbook), /^erp-failover-[0-9a-f]{16}\.lock$/);
  assert.is.not(lockFileName(playbook), lockFileName(join(dir, 'sub', 'erp failover.yaml')));
  const content = JSON.parse(readFileSync(lock.path, 'utf8'));
  assert.equal(
    { ...content, token: undefined },
    { pid: 4242, hostname: 'host-a', startedAt: '2026-11-27T10:22:33.000Z', playbook, token: undefined },
  );
  assert.equal(readdirSync(join(stateDir, 'locks')), [lockFileName(playbook)], 'no temp file left behind');
  assert.is(readFileSync(join(stateDir, '.gitignore'), 'utf8').split('\n')[1], '*');
});

test('a second run of the same playbook is refused with LockedError (exit 5) naming the holder', () => {
  const { playbook, stateDir } = setup();
  acquireLock(stateDir, playbook, { pid: 4242, hostname: 'host-a', isAlive: () => true });
  try {
    acquireLock(stateDir, playbook, { pid: 5151, hostname: 'host-a', isAlive: () => true });
    assert.unreachable('second lock must be refused');
  } catch (error) {
    assert.instance(error, LockedError);
    const e = error as LockedError;
    assert.is(e.exitCode, 5);
    assert.match(e.message, 'pid 4242 on host-a, started ');
    assert.match(e.message, 'in progress');
    assert.match(e.message, "'runbook status'");
  }
});

test('release() removes the lock so the next run can take it; release is idempotent', () => {
  const { playbook, stateDir } = setup();
  const first = acquireLock(stateDir, playbook, { pid: 1, hostname: 'h', isAlive: () => true });
  first.release();
  first.release();
  assert.not.ok(existsSync(first.path));
  const second = acquireLock(stateDir, playbook, { pid: 2, hostname: 'h', isAlive: () => true });
  assert.is(JSON.parse(readFileSync(second.path, 'utf8')).pid, 2);
});

test('a stale lock (its process is gone on this host) is taken over', () => {
  const { playbook, stateDir } = setup();
  acquireLock(stateDir, playbook, { pid: 4242, hostname: 'h' });
  const asked: number[] = [];
  const isAlive = (pid: number) => {
    asked.push(pid);
    return false;
  };
  const lock = acquireLock(stateDir, playbook, { pid: 5151, hostname: 'h', isAlive });
  assert.equal(asked, [4242]);
  assert.is(JSON.parse(readFileSync(lock.path, 'utf8')).pid, 5151);
  assert.equal(readdirSync(join(stateDir, 'locks')), [lockFileName(playbook)], 'no takeover mutex or temp file left');
});

test('the dead holder releasing late does not remove its successor’s lock', () => {
  const { playbook, stateDir } = setup();
  const old = acquireLock(stateDir, playbook, { pid: 4242, hostname: 'h' });
  const next = acquireLock(stateDir, playbook, { pid: 5151, hostname: 'h', isAlive: () => false });
  old.release();
  assert.ok(existsSync(next.path));
  assert.is(JSON.parse(readFileSync(next.path, 'utf8')).pid, 5151);
});

test('a lock from another host is never judged stale, and the message says why', () => {
  const { playbook, stateDir } = setup();
  acquireLock(stateDir, playbook, { pid: 4242, hostname: 'runner-1' });
  try {
    acquireLock(stateDir, playbook, { pid: 5151, hostname: 'runner-2', isAlive: () => false });
    assert.unreachable();
  } catch (error) {
    assert.instance(error, LockedError);
    assert.match((error as Error).message, 'taken on another host');
    assert.match((error as Error).message, 'pid 4242 on runner-1');
  }
});

test('two takers judging the same stale lock: the second finds it already taken over and is refused', () => {
  const { playbook, stateDir } = setup();
  acquireLock(stateDir, playbook, { pid: 4242, hostname: 'h' });
  let inner: ReturnType<typeof acquireLock> | undefined;
  // The first taker's liveness check is where a racing taker slips in and wins.
  const slowTaker = () =>
    acquireLock(stateDir, playbook, {
      pid: 5151,
      hostname: 'h',
      isAlive: () => {
        inner ??= acquireLock(stateDir, playbook, { pid: 6161, hostname: 'h', isAlive: () => false });
        return false;
      },
    });
  assert.throws(slowTaker, (e: unknown) => e instanceof LockedError && /pid 6161/.test((e as Error).message));
  assert.is(JSON.parse(readFileSync(inner!.path, 'utf8')).pid, 6161, 'the racing winner keeps its lock');
});

test('an interrupted takeover (mutex left behind) is refused with how to clean up', () => {
  const { playbook, stateDir } = setup();
  const lock = acquireLock(stateDir, playbook, { pid: 4242, hostname: 'h' });
  writeFileSync(`${lock.path}.takeover`, '{}');
  assert.throws(
    () => acquireLock(stateDir, playbook, { pid: 5151, hostname: 'h', isAlive: () => false }),
    (e: unknown) => e instanceof LockedError && (e as Error).message.includes('remove') && (e as Error).message.includes('.takeover'),
  );
});

test('an unreadable lock file is not taken over blindly', () => {
  const { playbook, stateDir } = setup();
  const lock = acquireLock(stateDir, playbook, { pid: 1, hostname: 'h' });
  writeFileSync(lock.path, 'garbage');
  assert.throws(() => acquireLock(stateDir, playbook, { pid: 2, hostname: 'h', isAlive: () => false }), /cannot be read/);
});

test('processIsAlive: this process is alive, an exited one is not', () => {
  assert.ok(processIsAlive(process.pid));
  assert.not.ok(processIsAlive(deadPid()));
});

/** Starts `n` processes racing for the lock; resolves with their answers, winners still holding. */
async function race(n: number, stateDir: string, playbook: string) {
  const children = Array.from({ length: n }, () =>
    spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'test/helpers/lock-child.ts'), stateDir, playbook], {
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  const readyOnce = new Set<unknown>();
  const exited = children.map((c) => new Promise((r) => c.on('exit', r)));
  const answers = await Promise.all(
    children.map(
      (child) =>
        new Promise<{ won: boolean; exitCode?: number; message?: string }>((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            const lines = out.split('\n');
            if (lines[0] === 'ready' && !readyOnce.has(child)) {
              readyOnce.add(child);
              if (readyOnce.size === n) for (const c of children) c.stdin.write('go\n');
            }
            if (lines.length > 2) resolve(JSON.parse(lines[1]!));
          });
          child.on('error', reject);
          child.on('exit', () => (out.split('\n').length > 2 ? undefined : reject(new Error(`child died without answering: ${out}`))));
        }),
    ),
  );
  for (const c of children) c.stdin.end();
  await Promise.all(exited);
  return answers;
}

test('processes racing for a free lock: exactly one wins, the others get exit code 5', async () => {
  const { playbook, stateDir } = setup();
  const answers = await race(6, stateDir, playbook);
  assert.is(answers.filter((a) => a.won).length, 1);
  for (const a of answers.filter((x) => !x.won)) assert.is(a.exitCode, 5, a.message);
});

test('processes racing to take over a stale lock: exactly one wins', async () => {
  const { playbook, stateDir } = setup();
  acquireLock(stateDir, playbook, { pid: deadPid(), hostname: hostname() });
  const answers = await race(6, stateDir, playbook);
  assert.is(answers.filter((a) => a.won).length, 1, JSON.stringify(answers));
  for (const a of answers.filter((x) => !x.won)) assert.is(a.exitCode, 5, a.message);
});

test.run();
