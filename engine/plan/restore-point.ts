// Restore-point choices → CdpFailoverStartSpec bodies (API spec §6.2). EM reads request
// datetimes as UTC (§1), so a bound `at` must say so explicitly (Z or +00:00): a local
// time would silently fail the VM over to a different moment.

import type { CdpFailoverSpec } from '../api/types.js';
import type { RestorePoint } from '../playbook/types.js';

export type SpecResult = { ok: true; spec: CdpFailoverSpec; text: string } | { ok: false; problem: string };

/** `bind` turns the `at` template into its final text. */
export function restorePointSpec(point: RestorePoint, bind: (template: string) => string): SpecResult {
  switch (point.kind) {
    case 'latest':
      return { ok: true, spec: { restoreCurrent: true, restoreCurrentVss: false }, text: 'latest (crash-consistent)' };
    case 'latest-app-consistent':
      return {
        ok: true,
        spec: { restoreCurrent: false, restoreCurrentVss: true },
        text: 'latest application-consistent',
      };
    case 'interval':
    case 'point-in-time': {
      const at = toUtc(bind(point.at));
      if (!at.ok) return { ok: false, problem: `restore point ${point.kind} "${point.at}": ${at.problem}` };
      return point.kind === 'interval'
        ? {
            ok: true,
            spec: { restoreCurrent: false, restoreCurrentVss: false, restoreAtInterval: at.value },
            text: `interval containing ${at.value}`,
          }
        : {
            ok: true,
            spec: { restoreCurrent: false, restoreCurrentVss: false, restoreAtPointInTime: at.value },
            text: `point in time ${at.value}`,
          };
    }
  }
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** ISO 8601 datetime in UTC → `YYYY-MM-DDTHH:MM:SSZ`; anything else is a problem to report. */
export function toUtc(text: string): { ok: true; value: string } | { ok: false; problem: string } {
  const m = ISO.exec(text.trim());
  if (!m) return { ok: false, problem: `"${text}" is not an ISO 8601 datetime (e.g. 2026-03-01T09:30:00Z)` };
  const zone = m[7];
  if (zone === undefined) return { ok: false, problem: `"${text}" has no time zone: EM expects UTC, write it with a trailing Z` };
  if (zone !== 'Z' && !/^[+-]00:?00$/.test(zone)) {
    return { ok: false, problem: `"${text}" is not UTC: convert it and write it with a trailing Z` };
  }
  const ms = Date.parse(text.trim());
  if (Number.isNaN(ms)) return { ok: false, problem: `"${text}" is not a valid date` };
  return { ok: true, value: formatUtc(ms) };
}

/** Epoch ms → `YYYY-MM-DDTHH:MM:SSZ` (whole seconds, as EM shows them). */
export function formatUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
