// Durations in the inventory: a number of milliseconds or `<n><unit>` strings, units
// ms, s, m, h, d, combinable (`1h30m`).

import type { DurationInput } from './types.js';

const UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;

/** Milliseconds, or an Error message (string) when the text is not a duration. */
export function parseDuration(input: DurationInput): number | string {
  if (typeof input === 'number') {
    return Number.isFinite(input) && input >= 0 ? input : `"${input}" is not a non-negative number of milliseconds`;
  }
  const text = input.trim();
  if (text === '0') return 0;
  PART.lastIndex = 0;
  let total = 0;
  let matched = 0;
  for (let m = PART.exec(text); m; m = PART.exec(text)) {
    total += Number(m[1]) * (UNIT[m[2] ?? ''] ?? 0);
    matched = PART.lastIndex;
  }
  if (matched === 0 || matched !== text.length) {
    return `"${input}" is not a duration (use e.g. 500ms, 15s, 2m, 1h, 1d or 1h30m)`;
  }
  return Math.round(total);
}
