// The run's files: `--report` (JSON), `--junit`, `--github-summary`, `--html`, `--log-file`,
// and the report kept in the state dir for `runbook report <run-id>` and `plan`'s RTO
// estimate. The writers are the unattended and HTML modules'; this wires them to the run.
// Secrets are redacted.

import { join, resolve } from 'node:path';
import type { Clock } from '../clock.js';
import { REPORT_SUFFIX } from '../plan/history.js';
import { renderHtmlReport } from './html/render.js';
import type { RunRecorder } from '../run/recorder.js';
import type { RunReport } from '../state/report-types.js';
import type { SecretFilter } from '../state/secret-filter.js';
import { runsDir } from '../state/state-dir.js';
import { writeFileAtomic } from '../state/atomic.js';
import { appendGithubSummary } from './github-summary.js';
import { writeJsonReport } from './json.js';
import { writeJunit } from './junit.js';
import { openLogFile, type LogFile } from './log-file.js';

export interface OutputValues {
  report?: string | undefined;
  junit?: string | undefined;
  'github-summary'?: string | undefined;
  html?: string | undefined;
}

/** Writes the files asked for; returns their paths (absolute), for the closing lines. */
export function writeOutputs(
  values: OutputValues,
  report: RunReport,
  cwd: string,
  secrets: SecretFilter,
  clock: Clock,
  env: Record<string, string | undefined> = {},
): string[] {
  const written: string[] = [];
  const at = (file: string) => {
    const path = resolve(cwd, file);
    written.push(path);
    return path;
  };
  if (values.report !== undefined) writeJsonReport(at(values.report), report, { secrets });
  if (values.junit !== undefined) writeJunit(at(values.junit), report, { secrets });
  // On GitHub Actions the job summary is written without asking; the flag names another file.
  const summary = values['github-summary'] ?? (env.GITHUB_STEP_SUMMARY || undefined);
  if (summary !== undefined) appendGithubSummary(at(summary), report, { secrets });
  if (values.html !== undefined)
    writeFileAtomic(at(values.html), renderHtmlReport(secrets.redact(report), { generatedAt: new Date(clock.now()).toISOString() }));
  return written;
}

/** `<state-dir>/runs/<run-id>.report.json`, beside the run's journal. */
export function writeStateReport(stateDir: string, report: RunReport, secrets: SecretFilter): string {
  const file = join(runsDir(stateDir), `${report.runId}${REPORT_SUFFIX}`);
  writeJsonReport(file, report, { secrets });
  return file;
}

/** Every executor event as one JSON line. */
export function attachLogFile(file: string, cwd: string, recorder: RunRecorder, secrets: SecretFilter, clock: Clock): LogFile {
  const log = openLogFile(resolve(cwd, file), { secrets, clock });
  recorder.on((e) => {
    const level =
      (e.type === 'step-end' && e.outcome === 'failed') || (e.type === 'vm' && (e.state === 'failed' || e.state === 'unknown'))
        ? 'error'
        : e.type === 'event' && e.kind !== 'session-renewal'
          ? 'warn'
          : 'info';
    const { type, ...fields } = e;
    log.log(level, type, { runId: recorder.report.runId, ...fields });
  });
  return log;
}
