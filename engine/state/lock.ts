// One run per playbook at a time, on this machine (cron firing while the last run still
// works, an operator starting a drill by hand). The lock is a file in the state directory,
// created atomically: its content is written to a private temp file first and then
// hard-linked to the lock name, which fails with EEXIST when the lock exists, so no reader
// ever sees a half-written lock. A lock whose process is gone (same host) is taken over
// under a short takeover mutex, so two racing takers cannot both win.
//
// Across machines (several CI runners, two cron hosts) a file lock cannot help: use the
// scheduler's own exclusion (GitHub `concurrency`, CronJob `concurrencyPolicy: Forbid`).

import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { systemClock, type Clock } from '../clock.js';
import { LockedError } from '../errors.js';
import { ensureStateDir, locksDir } from './state-dir.js';
import { createFileAtomic, writeFileAtomic } from './atomic.js';

export interface LockContent {
  pid: number;
  hostname: string;
  startedAt: string;
  /** Absolute path of the playbook. */
  playbook: string;
  /** Random: tells our lock from a successor's with the same pid. */
  token: string;
}

export interface LockOptions {
  /** @default process.pid */
  pid?: number;
  /** @default process.kill(pid, 0) (ESRCH: gone) */
  isAlive?: (pid: number) => boolean;
  /** @default os.hostname() */
  hostname?: string;
  /** @default systemClock */
  clock?: Clock;
}

export interface Lock {
  readonly path: string;
  readonly content: LockContent;
  /** Removes the lock if it is still ours; idempotent. */
  release(): void;
}

/** Whether a process exists on this host. EPERM means it exists but belongs to someone else. */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** `<slug>-<sha256 of the absolute path, 16 hex>.lock`: readable and unique per playbook. */
export function lockFileName(playbookFile: string): string {
  const abs = resolve(playbookFile);
  const hash = createHash('sha256').update(abs).digest('hex').slice(0, 16);
  const slug =
    basename(abs)
      .replace(/\.ya?ml$/i, '')
      .replace(/[^A-Za-z0-9_-]+/g, '-')
      .slice(0, 40) || 'playbook';
  return `${slug}-${hash}.lock`;
}

export function lockPath(stateDir: string, playbookFile: string): string {
  return join(locksDir(stateDir), lockFileName(playbookFile));
}

/** Reads a lock file; undefined when absent, `'corrupt'` when unreadable as a lock. */
export function readLock(path: string): LockContent | 'corrupt' | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const value = JSON.parse(text) as Partial<LockContent>;
    if (typeof value.pid === 'number' && typeof value.hostname === 'string') return value as LockContent;
  } catch {
    // falls through: not JSON, reported as corrupt
  }
  return 'corrupt';
}

export function acquireLock(stateDir: string, playbookFile: string, options: LockOptions = {}): Lock {
  ensureStateDir(stateDir);
  const path = lockPath(stateDir, playbookFile);
  const isAlive = options.isAlive ?? processIsAlive;
  const content: LockContent = {
    pid: options.pid ?? process.pid,
    hostname: options.hostname ?? osHostname(),
    startedAt: new Date((options.clock ?? systemClock).now()).toISOString(),
    playbook: resolve(playbookFile),
    token: randomBytes(8).toString('hex'),
  };
  const text = `${JSON.stringify(content, null, 2)}\n`;

  if (!createFileAtomic(path, text, 0o600)) {
    const holder = readLock(path);
    if (holder === undefined) {
      // Released between our attempt and our read: one more try, then give up honestly.
      if (!createFileAtomic(path, text, 0o600)) throw lockedError(path, readLock(path), content.hostname);
    } else if (holder === 'corrupt' || holder.hostname !== content.hostname || isAlive(holder.pid)) {
      throw lockedError(path, holder, content.hostname);
    } else {
      takeOver(path, holder, text, content.hostname);
    }
  }

  let released = false;
  return {
    path,
    content,
    release() {
      if (released) return;
      released = true;
      const now = readLock(path);
      // Only remove our own lock: after a takeover by someone else it is theirs.
      if (now !== undefined && now !== 'corrupt' && now.token === content.token) unlinkSync(path);
    },
  };
}

/**
 * Replaces a stale lock. Only the holder of `<lock>.takeover` (exclusive create) may do it;
 * under the mutex it checks the lock still is the stale one it judged, then renames the new
 * content over it atomically. Plain acquirers only ever link (never remove), so nothing else
 * can change the lock meanwhile.
 */
function takeOver(path: string, stale: LockContent, text: string, host: string): void {
  const mutex = `${path}.takeover`;
  if (!createFileAtomic(mutex, JSON.stringify({ pid: process.pid, hostname: host }), 0o600)) {
    throw new LockedError(
      `${path} is being taken over by another run right now (stale lock of pid ${stale.pid}). ` +
        `If no runbook process is running, remove ${mutex} and ${path} by hand.`,
    );
  }
  try {
    const now = readLock(path);
    if (now === undefined || now === 'corrupt' || now.token !== stale.token || now.pid !== stale.pid) {
      throw lockedError(path, now, host);
    }
    writeFileAtomic(path, text, 0o600);
  } finally {
    unlinkSync(mutex);
  }
}

function lockedError(path: string, holder: LockContent | 'corrupt' | undefined, host: string): LockedError {
  if (holder === undefined) {
    // Vanished twice in a row: someone is creating and releasing as fast as we look.
    return new LockedError(`could not take the lock ${path}: it changed while we looked; try again`);
  }
  if (holder === 'corrupt') {
    return new LockedError(
      `the lock ${path} exists but cannot be read. If no runbook is running for this playbook, delete it and try again.`,
    );
  }
  const who = `pid ${holder.pid} on ${holder.hostname}, started ${holder.startedAt}`;
  if (holder.hostname !== host) {
    return new LockedError(
      `another run of ${holder.playbook} holds the lock (${who}). It was taken on another host, so this ` +
        `machine cannot tell whether it still runs. Check that host; if that run is gone, delete ${path}.`,
    );
  }
  return new LockedError(
    `another run of ${holder.playbook} is in progress (${who}). Wait for it to finish, or see ` +
      `'runbook status' for what it is doing. The lock is released when it ends; ` +
      `a lock left by a dead process is taken over automatically.`,
  );
}
