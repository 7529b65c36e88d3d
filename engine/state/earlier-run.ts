// Before a run sends anything: did the last real run of this playbook leave requests whose
// outcome nobody knows? A run killed mid-way (power cut, kill -9, a pod evicted) leaves
// failovers that EM may have started; running the playbook again would send them again,
// blind. Cron and CI start runs unattended, so the refusal has to come from the tool.
// `runbook rollback` settles what EM still shows; what it cannot see stays open until an
// operator has checked it by hand and says so (`runbook run --ignore-unresolved`).
// The same "last real run of this playbook" is the one `runbook run --resume` goes on from.

import { closeSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { LockedError, UsageError } from '../errors.js';
import { listRuns, readJournal, type RunFile } from './journal.js';
import type { JournalEntry } from './journal-types.js';
import { runbookCommand } from './hint.js';
import { describeUnresolved, loadRunStatus, requireRunStart, statusFromEntries, type LivenessProbe, type RunStatus } from './run-status.js';

/** The newest real (not rehearsed) run of this playbook in the state dir. */
export function lastRealRun(stateDir: string, playbookFile: string): RunFile | undefined {
  const file = resolve(playbookFile);
  // Defensive reads: a foreign or hand-edited file in runs/ must not stop every run.
  return listRuns(stateDir).find((run) => {
    const start = runStart(run.path);
    return start?.playbook?.file === file && start.server?.simulated === false;
  });
}

/** The newest real run of this playbook, if it left anything unresolved. */
export function lastRunLeftUnresolved(stateDir: string, playbookFile: string, probe: LivenessProbe = {}): RunStatus | undefined {
  const run = lastRealRun(stateDir, playbookFile);
  if (!run) return undefined;
  const status = statusFromEntries(run.runId, run.path, readJournal(run.path), probe);
  return status.unresolved.length > 0 ? status : undefined;
}

/**
 * The run `--resume RUN_ID` names, checked: a real run of this playbook, the last one (an
 * older run's record of what is done may be out of date), and known to have ended.
 */
export function resumableRun(stateDir: string, playbookFile: string, runId: string, probe: LivenessProbe = {}): RunStatus {
  const status = requireRunStart(loadRunStatus(stateDir, runId, probe), `--resume ${runId}`);
  const file = resolve(playbookFile);
  if (status.report.playbook.file !== file)
    throw new UsageError(`--resume ${runId}: that run was of ${status.report.playbook.file}, not ${file}`);
  if (status.report.server.simulated)
    throw new UsageError(`--resume ${runId}: that run was a rehearsal (--simulate); nothing it did exists on a real Enterprise Manager`);
  const last = lastRealRun(stateDir, file);
  if (last && last.runId !== runId)
    throw new UsageError(
      `--resume ${runId}: the last run of this playbook is ${last.runId}; resume that one (what an older run did may have changed since)`,
    );
  if (status.liveness === 'elsewhere') {
    throw new LockedError(
      `--resume ${runId}: that run started on ${status.report.host.hostname} and has no run-end: ` +
        `this machine cannot tell whether it still runs`,
    );
  }
  return status;
}

/**
 * What `run` and `plan` need from earlier runs: the run `--resume` names (checked), and the
 * last real run if it left anything unresolved. When resuming, those are the same run: one read.
 */
export function earlierRuns(
  stateDir: string,
  playbookFile: string,
  resumeId: string | undefined,
): { resumeFrom?: RunStatus; unresolved?: RunStatus } {
  if (resumeId === undefined) {
    const unresolved = lastRunLeftUnresolved(stateDir, playbookFile);
    return unresolved ? { unresolved } : {};
  }
  const resumeFrom = resumableRun(stateDir, playbookFile, resumeId);
  return resumeFrom.unresolved.length > 0 ? { resumeFrom, unresolved: resumeFrom } : { resumeFrom };
}

/** "the last run of this playbook (ID, crashed) left 2 requests whose outcome is unknown" */
export function lastRunLeft(last: RunStatus): string {
  const n = last.unresolved.length;
  return `the last run of this playbook (${last.runId}, ${last.display}) left ${n} request${n === 1 ? '' : 's'} whose outcome is unknown`;
}

/** Exit 5 with what was left, what to do about it, and how to go ahead once checked. */
export function unresolvedError(last: RunStatus, stateDir: string): LockedError {
  const items = last.unresolved.slice(0, 10).map((u) => `  - ${describeUnresolved(u)}`);
  const more = last.unresolved.length - items.length;
  if (more > 0) items.push(`  - … and ${more} more`);
  return new LockedError(
    `${lastRunLeft(last)}; EM may have started them, and running again would send them again:\n${items.join('\n')}\n` +
      `See: ${runbookCommand('status', '--run', last.runId, '--state-dir', stateDir)}\n` +
      `Stop what still runs: ${runbookCommand('rollback', '--run', last.runId, '--state-dir', stateDir)}\n` +
      'Once each one is checked in Enterprise Manager, start the run with --ignore-unresolved.',
  );
}

/** The run-start line alone (first line of the journal): enough to tell which playbook ran. */
function runStart(path: string): Extract<JournalEntry, { type: 'run-start' }> | undefined {
  const fd = openSync(path, 'r');
  try {
    // A run-start line is ~1 KB; a state dir shared by many playbooks holds many journals.
    const buffer = Buffer.alloc(8 * 1024);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    const text = buffer.toString('utf8', 0, length);
    const end = text.indexOf('\n');
    // A first line longer than the buffer (a run with very large params): read it all.
    if (end === -1 && length === buffer.length) return asRunStart(readJournal(path).entries[0]);
    return asRunStart(JSON.parse(end === -1 ? text : text.slice(0, end)) as JournalEntry);
  } catch {
    // A journal cut short before its first line was complete: no run to speak of.
    return undefined;
  } finally {
    closeSync(fd);
  }
}

function asRunStart(entry: JournalEntry | undefined): Extract<JournalEntry, { type: 'run-start' }> | undefined {
  return entry?.type === 'run-start' ? entry : undefined;
}
