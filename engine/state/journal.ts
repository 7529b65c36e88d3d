// The run journal: `<stateDir>/runs/<runId>.jsonl`, one JournalEntry per line. Each append
// is written to the file before returning (a kill -9 right after keeps it), and made
// durable by group commit: `durable()` fsyncs once for every line written since the last
// fsync, so the intents of a whole burst of failovers share one fsync instead of one each.
// The engine awaits `durable()` after writing `request-intent` and before sending the
// failover: even a power cut leaves the line on disk. `close()` fsyncs what is left.
// Readers tolerate a last line cut short by a crash mid-write.

import { closeSync, fsync, fsyncSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../clock.js';
import { InternalError, UsageError } from '../errors.js';
import { entryProblem } from './journal-shape.js';
import type { JournalEntry } from './journal-types.js';
import { SecretFilter } from './secret-filter.js';
import { ensureStateDir, runsDir, stateDirError } from './state-dir.js';

export interface Journal {
  readonly path: string;
  readonly runId: string;
  /** Writes one line (not yet fsynced: see durable). Registered secrets are redacted first. */
  append(entry: JournalEntry): void;
  /** Resolves once every line appended so far is fsynced; one fsync serves every caller of the same turn. */
  durable(): Promise<void>;
  /** Values never to write (password, session token, Basic header value). */
  registerSecret(value: string | undefined): void;
  close(): void;
}

const RUN_ID = /^[0-9A-Za-z][0-9A-Za-z._-]{0,99}$/;

/** Sortable, readable, unique enough: `20261127T102233Z-3f9a`. */
export function newRunId(clock: Clock, random: () => number = Math.random): string {
  const stamp = new Date(clock.now())
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const suffix = Math.floor(random() * 0x10000)
    .toString(16)
    .padStart(4, '0');
  return `${stamp}-${suffix}`;
}

/** Refuses ids that could escape the runs folder (`--run ../../etc`). */
export function checkRunId(runId: string): string {
  if (!RUN_ID.test(runId)) throw new UsageError(`invalid run id "${runId}": expected something like 20261127T102233Z-3f9a`);
  return runId;
}

export function journalPath(stateDir: string, runId: string): string {
  return join(runsDir(stateDir), `${checkRunId(runId)}.jsonl`);
}

export interface JournalOptions {
  secrets?: SecretFilter;
  /**
   * The fsync, callback style. @default fs.fsync (on the thread pool). Tests on a FakeClock
   * in auto mode pass a synchronous one: real I/O lets virtual time leap meanwhile.
   */
  fsync?: (fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => void;
}

export function openJournal(stateDir: string, runId: string, options: JournalOptions = {}): Journal {
  ensureStateDir(stateDir);
  const path = journalPath(stateDir, runId);
  const secrets = options.secrets ?? new SecretFilter();
  const asyncFsync = options.fsync ?? fsync;
  // 'a': a rollback appends to the journal of the run it rolls back.
  let fd: number | undefined = openSync(path, 'a', 0o600);
  syncDirectory(runsDir(stateDir));
  /** Lines written, and lines known to be on disk. */
  let written = 0;
  let synced = 0;
  let syncing: Promise<void> | undefined;
  let closeWhenSynced = false;

  /**
   * One fsync for every line written so far. Started a microtask later, so the intents a
   * burst of VMs writes together share it; lines written while it runs (on the thread
   * pool, off the event loop) share the next one: group commit.
   */
  const syncOnce = (): Promise<void> =>
    (syncing ??= Promise.resolve().then(
      () =>
        new Promise<void>((resolve, reject) => {
          const handle = fd;
          if (handle === undefined) return reject(new InternalError(`journal ${path} is closed`));
          const target = written;
          asyncFsync(handle, (error) => {
            syncing = undefined;
            if (closeWhenSynced) closeSync(handle);
            if (error) return reject(error);
            synced = Math.max(synced, target);
            resolve();
          });
        }),
    ));

  return {
    path,
    runId,
    registerSecret: (value) => secrets.register(value),
    append(entry) {
      if (fd === undefined || closeWhenSynced) throw new InternalError(`journal ${path} is closed`);
      const line = Buffer.from(`${JSON.stringify(secrets.redact(entry))}\n`, 'utf8');
      let done = 0;
      while (done < line.length) done += writeSync(fd, line, done);
      written++;
    },
    async durable() {
      const mine = written;
      // An fsync already under way may have started before this caller's line: wait it out, go again.
      while (synced < mine) await syncOnce();
    },
    close() {
      if (fd === undefined || closeWhenSynced) return;
      if (synced < written) fsyncSync(fd);
      synced = written;
      // An fsync still running on the thread pool owns the descriptor until it answers.
      if (syncing) closeWhenSynced = true;
      else closeSync(fd);
      fd = undefined;
    },
  };
}

/** Makes the new file's directory entry durable too (a fresh file can vanish otherwise). */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (error) {
    // Some filesystems refuse fsync on a directory (EINVAL/EISDIR); the file's own fsync still holds.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM') throw error;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export interface JournalRead {
  entries: JournalEntry[];
  /** Lines that could not be read, e.g. `line 7: cut short (the process died mid-write)`. */
  problems: string[];
}

/** Reads a journal, keeping every readable line. A cut-short last line is expected after a crash. */
export function readJournal(path: string): JournalRead {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const entries: JournalEntry[] = [];
  const problems: string[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const isLast = index === lines.length - 1; // no trailing newline: the write never finished
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      // Kept going: every other line is still worth reading; the problem is reported.
      problems.push(
        isLast ? `line ${index + 1}: cut short (the process died while writing it); ignored` : `line ${index + 1}: unreadable; ignored`,
      );
      return;
    }
    const problem = entryProblem(value);
    if (problem === undefined) entries.push(value as JournalEntry);
    else problems.push(`line ${index + 1}: ${problem}; ignored`);
  });
  return { entries, problems };
}

export interface RunFile {
  runId: string;
  path: string;
}

/** Every run in the state directory, newest first (run ids sort by start time). */
export function listRuns(stateDir: string): RunFile[] {
  let names: string[];
  try {
    names = readdirSync(runsDir(stateDir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw stateDirError(stateDir, error);
  }
  return names
    .filter((n) => n.endsWith('.jsonl') && RUN_ID.test(n.slice(0, -6)))
    .map((n) => ({ runId: n.slice(0, -6), path: join(runsDir(stateDir), n) }))
    .sort((a, b) => (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0));
}
