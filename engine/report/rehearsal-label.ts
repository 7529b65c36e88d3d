// How every view of a rehearsal says so: one headline prefix, and one note on what its
// times mean (simulated time, and approval decisions stamped in real time beside it).

import type { RunReport } from '../state/report-types.js';

export const REHEARSAL = 'REHEARSAL (simulated EM)';

/** True when the report's times are simulated time running faster than real time. */
export function isScaled(report: RunReport): boolean {
  return report.server.simulated && report.server.timeScale !== undefined && report.server.timeScale !== 1;
}

/** `REHEARSAL (simulated EM): ` for a rehearsal, '' for a real run. */
export function rehearsalPrefix(report: RunReport): string {
  return report.server.simulated ? `${REHEARSAL}: ` : '';
}

/** The one-line headline every format leads with. */
export function headline(report: RunReport): string {
  return `${rehearsalPrefix(report)}${report.playbook.name}: ${report.outcome}`;
}

/** What a rehearsal's times mean when they are not real time; undefined otherwise. */
export function timesNote(report: RunReport): string | undefined {
  if (!isScaled(report)) return undefined;
  const approvals = report.steps.some((s) => s.approval)
    ? '; approval decisions are stamped in real time, so they are not on the simulated time axis'
    : '';
  return (
    `times are simulated time: the simulated EM ran ×${report.server.timeScale} faster than real ` +
    `time, from the real start instant${approvals}`
  );
}
