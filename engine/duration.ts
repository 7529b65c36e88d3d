// The one way the tool writes a duration for people: `850ms`, `4.2s`, `42s`, `1m05s`, `30m`, `1h02m03s`.
// Whole values read as the playbook's grammar (playbook/duration.ts parses them back).

/**
 * Milliseconds as text: under a second in ms, under ten seconds to a tenth, then whole
 * seconds in h/m/s with the smaller units two digits wide and zero units at the end dropped.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms === 0) return '0s';
  if (ms < 999.5) return `${Math.round(ms)}ms`;
  if (ms < 9_950) return `${Number((ms / 1_000).toFixed(1))}s`;
  const total = Math.round(ms / 1_000);
  const parts = [Math.floor(total / 3_600), Math.floor((total % 3_600) / 60), total % 60];
  const units = ['h', 'm', 's'];
  let first = parts.findIndex((n) => n > 0);
  let last = parts.length - 1;
  while (last > first && parts[last] === 0) last--;
  let out = '';
  for (; first <= last; first++) out += `${out === '' ? parts[first] : String(parts[first]).padStart(2, '0')}${units[first]}`;
  return out;
}
