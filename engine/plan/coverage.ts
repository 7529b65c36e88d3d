// A failover to a point in time or an interval only works when the replica's history
// covers that moment; EM would fail the task mid-run. Preflight asks EM's intervals
// (API spec §6.3 ?action=intervals) around the moment and reports a gap as a problem.

import type { CallOptions, CdpFailoverSpec, CdpIntervals } from '../api/types.js';

const WINDOW_MS = 3_600_000;

/** The moment the spec restores to, or undefined for latest / latest app-consistent. */
export function chosenMoment(spec: CdpFailoverSpec): string | undefined {
  return spec.restoreAtPointInTime ?? spec.restoreAtInterval;
}

/** `read(start, end)` asks EM for the intervals; a problem text when none covers `at`. */
export async function coverageProblem(
  label: string,
  at: string,
  read: (start: string, end: string, options?: CallOptions) => Promise<CdpIntervals>,
): Promise<string | undefined> {
  const ms = Date.parse(at);
  const iso = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const answer = await read(iso(ms - WINDOW_MS), iso(ms + WINDOW_MS));
  const covered = answer.intervals.some((i) => Date.parse(i.start) <= ms && ms <= Date.parse(i.end));
  if (covered) return undefined;
  const near =
    answer.intervals.length > 0
      ? ` (EM has restore points from ${answer.intervals[0]!.start} to ${answer.intervals.at(-1)!.end} near it)`
      : ' (EM has no restore point within an hour of it)';
  return `${label}: no restore point covers ${at}${near}: choose a moment inside the replica's history`;
}
