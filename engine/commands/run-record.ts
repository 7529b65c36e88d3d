// The record of one run, for `startRun`: open the journal and the recorder (with the warnings
// the journal must carry), then, at the end, the report files and the closing summary.

import { hostname } from 'node:os';
import { isAbsolute, relative } from 'node:path';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { ExitCode } from '../errors.js';
import type { Plan } from '../plan/types.js';
import type { ExecuteResult } from '../run/execute.js';
import { journalPath as journalFile, newRunId, openJournal, type Journal } from '../state/journal.js';
import { osUser } from '../state/os-user.js';
import { attachLogFile, writeOutputs, writeStateReport, type OutputValues } from '../report/outputs.js';
import { RunRecorder } from '../run/recorder.js';
import type { SecretFilter } from '../state/secret-filter.js';
import type { RunStatus } from '../state/run-status.js';
import { runbookCommand } from '../state/hint.js';
import { renderSummary } from '../report/summary.js';
import type { LogFile } from '../report/log-file.js';
import type { CommandIO } from '../io.js';
import { describeResume } from './run-resume.js';

export interface RunRecord {
  runId: string;
  recorder: RunRecorder;
  journal?: Journal;
  logFile?: LogFile;
}

export interface RecordOptions {
  plan: Plan;
  playbookSha256: string;
  clock: Clock;
  secrets: SecretFilter;
  stateDir?: string;
  logFile?: string;
  resumeFrom?: RunStatus;
  ignoredUnresolved?: RunStatus;
  /** Warnings already said on stderr (e.g. VMs an earlier run failed over), journaled too. */
  warnings: string[];
}

/** The run id, journal and recorder: one timeline per run, read from the run's clock. */
export function openRecord(o: RecordOptions, io: CommandIO): RunRecord {
  // In a rehearsal the clock is simulated time (timeScale× faster); the report and journal
  // say so (server.timeScale) and the summary gives the real duration beside it.
  const { clock, plan } = o;
  const runId = newRunId(clock);
  let journal: Journal | undefined;
  if (o.stateDir !== undefined) {
    journal = openJournal(o.stateDir, runId, { secrets: o.secrets });
    const cutShort = journal;
    io.onForcedExit?.(() =>
      cutShort.append({
        type: 'event',
        at: new Date(clock.now()).toISOString(),
        kind: 'interrupt',
        message: 'second signal: exited at once, rollback did not finish; runbook status lists what was left',
      }),
    );
  }
  const recorder = new RunRecorder({
    runId,
    plan,
    playbookSha256: o.playbookSha256,
    host: { hostname: hostname(), user: osUser() },
    pid: process.pid,
    clock,
    ...(journal ? { journal } : {}),
  });
  if (plan.resumed) recorder.event('warning', describeResume(plan.resumed));
  for (const w of o.warnings) recorder.event('warning', w);
  if (o.resumeFrom && o.resumeFrom.report.playbook.sha256 !== o.playbookSha256) {
    recorder.event('warning', `the playbook changed since run ${o.resumeFrom.runId}: steps are matched by id and VMs by name`);
  }
  const ignored = o.ignoredUnresolved;
  if (ignored) {
    const n = ignored.unresolved.length;
    recorder.event(
      'warning',
      `started with --ignore-unresolved: run ${ignored.runId} left ${n} request${n === 1 ? '' : 's'} ` +
        `unresolved (${ignored.unresolved.map((u) => u.request.target).join(', ')})`,
    );
  }
  const logFile = o.logFile !== undefined ? attachLogFile(o.logFile, io.cwd, recorder, o.secrets, clock) : undefined;
  return { runId, recorder, ...(journal ? { journal } : {}), ...(logFile ? { logFile } : {}) };
}

/** The exit code an executor result means. */
export function exitCodeOf(result: ExecuteResult): number {
  if (result.interrupted !== undefined) return (result.interrupted as { exitCode?: number }).exitCode ?? ExitCode.sigint;
  return result.outcome === 'succeeded' ? ExitCode.ok : ExitCode.runFailed;
}

export interface ReportOptions {
  outputs: OutputValues;
  secrets: SecretFilter;
  stateDir?: string;
  simulate: boolean;
  quiet: boolean;
  realStart: number;
}

/** The report kept in the state dir, the files asked for, and the summary (stderr unless it succeeded). */
export function writeReports(record: RunRecord, result: ExecuteResult, o: ReportOptions, io: CommandIO): number {
  const exitCode = exitCodeOf(result);
  const report = record.recorder.end(result.outcome, exitCode);
  record.logFile?.close();
  const kept = o.stateDir !== undefined ? writeStateReport(o.stateDir, report, o.secrets) : undefined;
  const written = writeOutputs(o.outputs, report, io.cwd, o.secrets, systemClock, io.env);
  const where = whereItWent(io.cwd, record.runId, o.stateDir, kept, written, o.simulate);
  const summary = renderSummary(report, { realMs: systemClock.now() - o.realStart }) + where;
  if (exitCode === ExitCode.ok) {
    if (!o.quiet) io.stdout.write(`\n${summary}`);
  } else {
    io.stderr.write(`\n${summary}`);
  }
  return exitCode;
}

/** Closing lines: where the journal and reports are, and the commands that read them. */
function whereItWent(
  cwd: string,
  runId: string,
  stateDir: string | undefined,
  kept: string | undefined,
  written: string[],
  simulate: boolean,
): string {
  const show = (path: string) => {
    const rel = relative(cwd, path);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
  };
  const lines: string[] = [];
  if (stateDir !== undefined) {
    const dir = show(stateDir);
    lines.push(`Journal: ${show(journalFile(stateDir, runId))}${kept !== undefined ? `, report: ${show(kept)}` : ''}`);
    lines.push(`  ${runbookCommand('status', '--run', runId, '--state-dir', dir)}`);
    lines.push(`  ${runbookCommand('report', runId, '--state-dir', dir)}    (HTML)`);
  } else if (simulate) {
    lines.push('Rehearsal not journaled: add --state-dir DIR to keep it for runbook status and runbook report.');
  }
  for (const file of written) lines.push(`Wrote ${show(file)}`);
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
