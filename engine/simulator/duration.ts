// Durations in the inventory and fault specs: a number of milliseconds, or the playbook's
// duration grammar (`500ms`, `15s`, `2m`, `1h30m`, `1d`): one parser for the whole tool.

import { parseDuration as parsePlaybookDuration } from '../playbook/duration.js';
import type { DurationInput } from './types.js';

/** Milliseconds, or an error message (string) when the input is not a duration. */
export function parseDuration(input: DurationInput): number | string {
  if (typeof input === 'number') {
    return Number.isFinite(input) && input >= 0 ? input : `"${input}" is not a non-negative number of milliseconds`;
  }
  const text = input.trim();
  if (text === '0') return 0;
  try {
    return parsePlaybookDuration(text);
  } catch (error) {
    return (error as Error).message;
  }
}
