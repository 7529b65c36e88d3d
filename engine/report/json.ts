// `--report FILE.json`: the RunReport as pretty JSON, written atomically.

import { headline, timesNote } from './rehearsal-label.js';
import type { RunReport } from '../state/report-types.js';
import { SecretFilter } from '../state/secret-filter.js';
import { writeFileAtomic } from '../state/atomic.js';

/** The report, led by its headline (REHEARSAL first in a rehearsal) and, then, what its times mean. */
function renderJsonReport(report: RunReport, secrets: SecretFilter = new SecretFilter()): string {
  const note = timesNote(report);
  const led = { headline: headline(report), ...(note !== undefined ? { timesNote: note } : {}), ...report };
  return `${JSON.stringify(secrets.redact(led), null, 2)}\n`;
}

export function writeJsonReport(file: string, report: RunReport, options: { secrets?: SecretFilter } = {}): void {
  writeFileAtomic(file, renderJsonReport(report, options.secrets));
}
