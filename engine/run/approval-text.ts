// One line for an approval decision, as the report views show it.

import type { StepReport } from './report-types.js';

export function approvalText(a: NonNullable<StepReport['approval']>): string {
  return `${a.decision} by ${a.by} (${a.via}) at ${a.at}${a.reason !== undefined ? `: ${a.reason}` : ''}`;
}
