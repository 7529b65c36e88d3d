// Durations (`500ms`, `30s`, `5m`, `1h30m`, `1d`) and UTC datetimes, as written in playbooks.
// Written back for people by engine/duration.ts.

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
const DURATION = /^(?=\d)(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Milliseconds of a duration string; throws RangeError with a fix-it message when malformed. */
export function parseDuration(text: string): number {
  const m = DURATION.exec(text);
  if (!m) {
    throw new RangeError(`"${text}" is not a duration: write it like 500ms, 30s, 5m, 1h30m or 1d (units in that order, no spaces)`);
  }
  const [, d, h, min, s, ms] = m;
  const total =
    Number(d ?? 0) * UNIT_MS.d + Number(h ?? 0) * UNIT_MS.h + Number(min ?? 0) * UNIT_MS.m + Number(s ?? 0) * UNIT_MS.s + Number(ms ?? 0);
  if (!Number.isSafeInteger(total)) throw new RangeError(`"${text}" is too long a duration`);
  return total;
}

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|\+00:00)$/;

/**
 * Checks an ISO 8601 UTC datetime (`2024-05-01T10:30:00Z`, `…+00:00`) and returns its epoch
 * ms; throws RangeError saying how to fix it. Other offsets are refused on purpose: a DR
 * runbook read at 3 a.m. must not depend on which timezone its author was in.
 */
export function parseDatetime(text: string): number {
  const m = DATETIME.exec(text);
  if (!m) {
    const offset = /[+-]\d{2}:?\d{2}$/.test(text) && !text.endsWith('+00:00');
    throw new RangeError(
      offset
        ? `"${text}" is not in UTC: convert it to UTC and end it with Z, e.g. 2024-05-01T10:30:00Z`
        : `"${text}" is not an ISO 8601 UTC datetime: write it like 2024-05-01T10:30:00Z`,
    );
  }
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw new RangeError(`"${text}" is not a real date and time`);
  }
  return ms + (m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0);
}
