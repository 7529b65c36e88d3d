// One line for an approval decision, as the report views show it.

import type { StepReport } from './report-types.js';

/** `realTime`: the report's other times are simulated (a scaled rehearsal), so say this one is not. */
export function approvalText(a: NonNullable<StepReport['approval']>, realTime = false): string {
  return `${a.decision} by ${a.by} (${a.via}) at ${a.at}${realTime ? ' (real time)' : ''}${a.reason !== undefined ? `: ${a.reason}` : ''}`;
}
