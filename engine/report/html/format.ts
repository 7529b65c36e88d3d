// Small formatters shared by the header, the tables and the timeline: durations, times,
// and the outcome vocabulary (class name, icon and label, so outcome never rests on
// colour alone).

import type { VmState } from '../../state/report-types.js';

/** The visual outcome of a bar or a row; each has a CSS class `o-<name>` and colour token. */
export type Tone = 'succeeded' | 'failed' | 'skipped' | 'stopped' | 'unknown' | 'running' | 'pending';

const ICONS: Record<Tone, string> = {
  succeeded: '✔',
  failed: '✘',
  skipped: '↷',
  stopped: '■',
  unknown: '?',
  running: '▶',
  pending: '○',
};

export function icon(tone: Tone): string {
  return ICONS[tone];
}

/** Maps a step outcome, VM state or run outcome onto a tone. */
export function toneOf(outcome: string): Tone {
  switch (outcome) {
    case 'succeeded':
    case 'failed-over':
    case 'ok':
      return 'succeeded';
    case 'failed':
      return 'failed';
    case 'skipped':
      return 'skipped';
    case 'stopped':
    case 'rolled-back':
    case 'interrupted':
      return 'stopped';
    case 'unknown':
      return 'unknown';
    case 'running':
      return 'running';
    default:
      return 'pending';
  }
}

export function vmTone(state: VmState): Tone {
  return state === 'not-started' ? 'pending' : toneOf(state);
}

/** Elapsed time for axis labels: `0:00`, `4:30`, `1:05:00`. */
export function formatElapsed(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** `2026-03-14 09:00:41 UTC`; the input as written when it is not a valid date. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return '–';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${new Date(t)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z')
    .replace('Z', ' UTC')}`;
}

/** Clock time only (`09:00:41`), for compact table cells on the run's own day. */
export function formatClock(iso: string | undefined): string {
  if (!iso) return '–';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t).toISOString().slice(11, 19);
}

/** Milliseconds of an ISO time, or undefined when absent or invalid. */
export function ms(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}
