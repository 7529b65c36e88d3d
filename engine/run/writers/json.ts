// `--report FILE.json`: the RunReport as pretty JSON, written atomically.

import type { RunReport } from '../report-types.js';
import { SecretFilter } from '../secret-filter.js';
import { writeFileAtomic } from './atomic.js';

function renderJsonReport(report: RunReport, secrets: SecretFilter = new SecretFilter()): string {
  return `${JSON.stringify(secrets.redact(report), null, 2)}\n`;
}

export function writeJsonReport(file: string, report: RunReport, options: { secrets?: SecretFilter } = {}): void {
  writeFileAtomic(file, renderJsonReport(report, options.secrets));
}
