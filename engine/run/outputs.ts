// The run's files: `--report` (JSON), `--junit`, `--github-summary`, `--log-file`. The
// writers are the unattended module's; this wires them to the run. Secrets are redacted.

import { resolve } from 'node:path';
import type { Clock } from '../clock.js';
import type { RunRecorder } from './recorder.js';
import type { RunReport } from './report-types.js';
import type { SecretFilter } from './secret-filter.js';
import { appendGithubSummary } from './writers/github-summary.js';
import { writeJsonReport } from './writers/json.js';
import { writeJunit } from './writers/junit.js';
import { openLogFile, type LogFile } from './writers/log-file.js';

export const OUTPUT_OPTIONS = {
  'state-dir': { type: 'string' },
  report: { type: 'string' },
  junit: { type: 'string' },
  'github-summary': { type: 'string' },
  'log-file': { type: 'string' },
} as const;

export interface OutputValues {
  report?: string | undefined;
  junit?: string | undefined;
  'github-summary'?: string | undefined;
}

export function writeOutputs(values: OutputValues, report: RunReport, cwd: string, secrets: SecretFilter): void {
  if (values.report !== undefined) writeJsonReport(resolve(cwd, values.report), report, { secrets });
  if (values.junit !== undefined) writeJunit(resolve(cwd, values.junit), report, { secrets });
  if (values['github-summary'] !== undefined) appendGithubSummary(resolve(cwd, values['github-summary']), report, { secrets });
}

/** Every executor event as one JSON line. */
export function attachLogFile(file: string, cwd: string, recorder: RunRecorder, secrets: SecretFilter, clock: Clock): LogFile {
  const log = openLogFile(resolve(cwd, file), { secrets, clock });
  recorder.on((e) => {
    const level = (e.type === 'step-end' && e.outcome === 'failed') || (e.type === 'vm' && (e.state === 'failed' || e.state === 'unknown')) ? 'error' : e.type === 'event' && e.kind !== 'session-renewal' ? 'warn' : 'info';
    const { type, ...fields } = e;
    log.log(level, type, { runId: recorder.report.runId, ...fields });
  });
  return log;
}
