// The one backoff every retry uses (EM requests, task polls, exec steps, approvals).

/**
 * Delay before retry number `retry` (1-based): exponential from `baseMs`, capped at `maxMs`.
 * With `random`, "equal jitter" (half fixed, half random): concurrent clients spread out
 * without ever retrying at once.
 */
export function backoffDelay(retry: number, baseMs: number, maxMs: number, random?: () => number): number {
  const base = Math.min(maxMs, baseMs * 2 ** (Math.max(1, retry) - 1));
  if (!random) return base;
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(base / 2 + (base / 2) * r);
}
