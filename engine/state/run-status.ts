// A run as `runbook status` sees it: the replayed report, whether its process still lives,
// and what is unresolved (requests whose outcome nobody knows) with what to do about each.

import { hostname as osHostname } from 'node:os';
import { errorMessage, UsageError } from '../errors.js';
import { journalPath, listRuns, readJournal, type JournalRead } from './journal.js';
import { processIsAlive } from './lock.js';
import { stateDirError } from './state-dir.js';
import type { JournalEntry } from './journal-types.js';
import type { ManualAction } from './report-types.js';
import { replay, type Replayed, type RequestTrack } from './replay.js';

/**
 * - finished: a run-end line exists
 * - running: no run-end and its process is alive on this host
 * - crashed: no run-end and its process is gone (kill -9, power cut, OOM)
 * - elsewhere: no run-end and it ran on another host: this machine cannot tell
 */
export type Liveness = 'finished' | 'running' | 'crashed' | 'elsewhere';

export interface Unresolved {
  /** in-flight: accepted, no result recorded; unknown: sent, no answer recorded. */
  kind: 'in-flight' | 'unknown';
  stepId: string;
  stepName: string;
  request: RequestTrack;
  instruction: string;
}

export interface RunStatus extends Replayed {
  runId: string;
  /** The journal lines read (without the unreadable ones). */
  entries: JournalEntry[];
  path: string;
  liveness: Liveness;
  /** The outcome word for tables: the run-end outcome, or running / crashed / unfinished. */
  display: string;
  unresolved: Unresolved[];
  /** Journal lines that could not be read (a cut-short last line after a crash). */
  problems: string[];
}

export interface LivenessProbe {
  isAlive?: (pid: number) => boolean;
  hostname?: string;
}

function what(t: RequestTrack): string {
  const where = t.replica ? ` of replica "${t.replica}"` : '';
  return t.kind === 'plan' ? `failover plan "${t.target}"` : `VM "${t.target}"${where}`;
}

function instructionFor(kind: Unresolved['kind'], t: RequestTrack): string {
  if (kind === 'in-flight') {
    return (
      `check ${what(t)} in Enterprise Manager: task ${t.taskId} was accepted at ${t.requestedAt} and no result was recorded. ` +
      `If it finished, the ${t.kind === 'plan' ? 'plan ran' : 'VM is failed over'}; do not start it again before checking.`
    );
  }
  return (
    `check ${what(t)} in Enterprise Manager: the request (${t.method} ${t.path}) was sent at ` +
    `${t.requestedAt} but no answer was recorded, ` +
    `so EM may have started it. Do not run it again before checking.`
  );
}

/** One line about an unresolved request: `VM erp-db01 (replica ERP-CDP): task task-7 in flight`. */
export function describeUnresolved(u: Unresolved): string {
  const t = u.request;
  const thing = `${t.kind === 'plan' ? 'plan' : 'VM'} ${t.target}${t.replica ? ` (replica ${t.replica})` : ''}`;
  return `${thing}: ${u.kind === 'in-flight' ? `task ${t.taskId} in flight` : 'requested, no answer recorded'}`;
}

/** Status of one run from its journal lines (pure apart from the liveness probe). */
export function statusFromEntries(runId: string, path: string, read: JournalRead, probe: LivenessProbe = {}): RunStatus {
  const replayed = replay(runId, read.entries);
  const { report, hasRunEnd, pid } = replayed;
  const host = probe.hostname ?? osHostname();
  const isAlive = probe.isAlive ?? processIsAlive;

  let liveness: Liveness = 'finished';
  if (!hasRunEnd) {
    if (report.host.hostname && report.host.hostname !== host) liveness = 'elsewhere';
    else liveness = pid !== undefined && isAlive(pid) ? 'running' : 'crashed';
  }
  // The report's outcome: a dead run without run-end was interrupted, whatever stopped it.
  if (liveness === 'crashed' || liveness === 'elsewhere') report.outcome = liveness === 'crashed' ? 'interrupted' : 'running';
  const display =
    liveness === 'finished'
      ? report.outcome
      : liveness === 'running'
        ? 'running'
        : liveness === 'crashed'
          ? 'crashed'
          : `unfinished (ran on ${report.host.hostname})`;

  const stepName = (id: string) => report.steps.find((s) => s.id === id)?.name ?? id;
  const unresolved: Unresolved[] = [];
  const manual: ManualAction[] = [];
  for (const t of replayed.requests.values()) {
    const kind = t.state === 'running' ? 'in-flight' : t.state === 'unknown' ? 'unknown' : undefined;
    if (kind && liveness !== 'running' && t.settled === undefined) {
      const instruction = instructionFor(kind, t);
      unresolved.push({ kind, stepId: t.stepId, stepName: stepName(t.stepId), request: t, instruction });
      manual.push({ stepId: t.stepId, target: t.target, reason: 'unknown', instruction });
    }
    if (t.state === 'failed-over' && t.kind === 'vm' && liveness !== 'running' && report.outcome !== 'succeeded') {
      manual.push({
        stepId: t.stepId,
        target: t.target,
        reason: 'failed-over',
        instruction:
          `${what(t)} IS failed over (task ${t.taskId}). EM has no per-VM undo: if this was not intended, ` +
          `undo the failover in the Veeam console.`,
      });
    }
  }
  // A rollback action that failed and was not later done successfully stays a manual action.
  const lastByTarget = new Map<string, (typeof report.rollback)[number]>();
  for (const a of report.rollback) lastByTarget.set(`${a.stepId}\u0000${a.target}\u0000${a.action}`, a);
  for (const a of lastByTarget.values()) {
    if (a.ok || a.action === 'manual') continue;
    const stillOpen = unresolved.some((u) => u.stepId === a.stepId && u.request.target === a.target);
    if (!stillOpen)
      manual.push({
        stepId: a.stepId,
        target: a.target,
        reason: 'rollback-failed',
        instruction: `rollback ${a.action} failed: ${a.message}`,
      });
  }
  // What the run itself listed stays; what only the journal's state shows is added.
  for (const m of manual) if (!report.manual.some((k) => k.stepId === m.stepId && k.target === m.target)) report.manual.push(m);

  return { ...replayed, runId, entries: read.entries, path, liveness, display, unresolved, problems: read.problems };
}

export function loadRunStatus(stateDir: string, runId: string, probe: LivenessProbe = {}): RunStatus {
  const path = journalPath(stateDir, runId);
  let read: JournalRead;
  try {
    read = readJournal(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UsageError(`no run "${runId}" in ${stateDir} (see 'runbook status --state-dir ${stateDir}' for the runs there)`);
    }
    throw stateDirError(stateDir, error);
  }
  return statusFromEntries(runId, path, read, probe);
}

/** A journal in runs/ that tells no run: no readable run-start line, or a file that cannot be read. */
export interface DamagedRun {
  runId: string;
  path: string;
  why: string;
}

/** Why a run's journal tells no run (no readable run-start line first), or undefined. */
export function damage(read: JournalRead): string | undefined {
  if (read.entries[0]?.type === 'run-start') return undefined;
  const first = read.problems.find((p) => p.startsWith('line 1:'));
  return `no readable run-start line${first ? ` (${first})` : read.entries.length === 0 ? ' (empty)' : ''}`;
}

/** Refuses a run whose journal tells no run: naming the file, for the commands that need one. */
export function requireRunStart(status: RunStatus, what: string): RunStatus {
  const why = damage({ entries: status.entries, problems: status.problems });
  if (why !== undefined) {
    throw new UsageError(
      `${what}: the journal ${status.path} is damaged: ` +
        `${why}. 'runbook status --run ${status.runId}' shows what it still tells; ` +
        `check its VMs by hand in Enterprise Manager.`,
    );
  }
  return status;
}

/**
 * The newest `limit` runs, newest first. A journal that tells no run (truncated, garbage,
 * unreadable) is set aside in `damaged`, named, and never stops the others from listing.
 */
export function loadRunList(stateDir: string, limit: number, probe: LivenessProbe = {}): { runs: RunStatus[]; damaged: DamagedRun[] } {
  const runs: RunStatus[] = [];
  const damaged: DamagedRun[] = [];
  for (const r of listRuns(stateDir)) {
    if (runs.length >= limit) break;
    let read: JournalRead;
    try {
      read = readJournal(r.path);
    } catch (error) {
      damaged.push({ ...r, why: `cannot be read (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})` });
      continue;
    }
    const why = damage(read);
    if (why !== undefined) damaged.push({ ...r, why });
    else runs.push(statusFromEntries(r.runId, r.path, read, probe));
  }
  return { runs, damaged };
}

/** The newest `limit` readable runs, newest first. */
export function loadRecentRuns(stateDir: string, limit: number, probe: LivenessProbe = {}): RunStatus[] {
  return loadRunList(stateDir, limit, probe).runs;
}
