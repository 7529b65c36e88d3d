// Rebuilds a RunReport from journal lines alone: what `runbook status` and `runbook
// rollback` know about a run whose process may be long gone. The fold is the recorder's
// own (apply-entry.ts): status and the run's report are one model. Pure: no files, no clock.

import { foldJournal } from './apply-entry.js';
import { foldIndex, type RequestTrack } from './fold-index.js';
import type { JournalEntry } from './journal-types.js';
import type { RunReport } from './report-types.js';

export type { RequestTrack } from './fold-index.js';

export interface Replayed {
  report: RunReport;
  /** Every request, keyed `stepId\u0000target`, in journal order. */
  requests: Map<string, RequestTrack>;
  /** The pid that wrote run-start (to judge whether it still runs). */
  pid?: number;
  hasRunEnd: boolean;
}

export function replay(runId: string, entries: JournalEntry[]): Replayed {
  const report = foldJournal(runId, entries);
  const { requests, pid, hasRunEnd } = foldIndex(report);
  return { report, requests, hasRunEnd, ...(pid !== undefined ? { pid } : {}) };
}
