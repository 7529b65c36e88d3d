// Restore-point history of a CDP VM, generated from three numbers (lag, app-consistent
// period, depth) relative to `now`: nothing is stored per VM. Continuous (crash-
// consistent) history covers [now - history, now - lag]; long-term application-consistent
// points sit on multiples of `appEvery` (epoch-aligned) inside it.

import { uuidFromName } from './ids.js';
import type { HistoryN } from './model.js';

/** Upper bound on the points one intervals response lists (the newest are kept). */
export const MAX_POINTS = 10_000;

export interface IntervalsView {
  start: number;
  end: number;
  hasAppConsistent: boolean;
  intervals: Array<{ start: number; end: number; rpoSeconds: number }>;
  points: Array<{ id: string; date: number; appConsistent: boolean }>;
}

export function coverage(h: HistoryN, now: number): { from: number; to: number } {
  return { from: now - h.historyMs, to: now - h.lagMs };
}

/** Application-consistent point times within [from, to], newest last, at most MAX_POINTS. */
function appPoints(h: HistoryN, from: number, to: number): number[] {
  if (h.appEveryMs <= 0 || to < from) return [];
  const first = Math.ceil(from / h.appEveryMs) * h.appEveryMs;
  const last = Math.floor(to / h.appEveryMs) * h.appEveryMs;
  const count = last >= first ? Math.floor((last - first) / h.appEveryMs) + 1 : 0;
  const skip = Math.max(0, count - MAX_POINTS);
  const out: number[] = [];
  for (let t = first + skip * h.appEveryMs; t <= last; t += h.appEveryMs) out.push(t);
  return out;
}

export function intervals(vmId: string, h: HistoryN, now: number, start: number, end: number): IntervalsView {
  const cov = coverage(h, now);
  const from = Math.max(start, cov.from);
  const to = Math.min(end, cov.to);
  const times = appPoints(h, from, to);
  const rpoSeconds = Math.max(1, Math.round(h.lagMs / 1000));
  const spans: IntervalsView['intervals'] = [];
  if (to > from) {
    const cuts = [from, ...times.filter((t) => t > from && t < to), to];
    for (let i = 0; i + 1 < cuts.length && spans.length < MAX_POINTS; i++) {
      spans.push({ start: cuts[i] as number, end: cuts[i + 1] as number, rpoSeconds });
    }
  }
  return {
    start,
    end,
    hasAppConsistent: times.length > 0,
    intervals: spans,
    points: times.map((t) => ({ id: uuidFromName('cdp-restore-point', `${vmId}@${t}`), date: t, appConsistent: true })),
  };
}

export type Target = { kind: 'current' } | { kind: 'vss' } | { kind: 'interval'; at: number } | { kind: 'point-in-time'; at: number };

/** Why a failover to `target` cannot be served from this history at `now`, or undefined when it can. */
export function unavailable(h: HistoryN, now: number, target: Target): string | undefined {
  const cov = coverage(h, now);
  const range = `the history covers ${iso(cov.from)} to ${iso(cov.to)}`;
  switch (target.kind) {
    case 'current':
      return undefined;
    case 'vss':
      return appPoints(h, cov.from, cov.to).length > 0 ? undefined : 'No application-consistent restore point is available';
    case 'interval':
    case 'point-in-time':
      return target.at >= cov.from && target.at <= cov.to ? undefined : `No restore point is available at ${iso(target.at)}: ${range}`;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}
