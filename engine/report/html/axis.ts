// Time-axis ticks: a "nice" interval (1 s … 1 day) giving at most `maxTicks` labelled
// ticks over the span, labelled as elapsed time since the run started.

const STEPS_MS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400].map((s) => s * 1000);

export function tickInterval(spanMs: number, maxTicks = 10): number {
  for (const step of STEPS_MS) if (spanMs / step <= maxTicks) return step;
  const day = 86_400_000;
  return Math.ceil(spanMs / maxTicks / day) * day;
}

/** Tick offsets (ms since start) from 0 up to and including the span's last whole interval. */
export function ticks(spanMs: number, maxTicks = 10): number[] {
  const step = tickInterval(spanMs, maxTicks);
  const out: number[] = [];
  for (let t = 0; t <= spanMs + 1e-6; t += step) out.push(t);
  return out;
}
