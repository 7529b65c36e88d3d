// Memory policy of `runbook run`. On a host with plenty of RAM V8 picks a large heap limit
// (4 GB on a 23.5 GB machine) and with it lets the old generation grow to up to 4x its live
// size before the next full collection: a 10,000-VM run with 30-45 MB live peaked anywhere
// between 160 and 250 MB, depending on where the full collections happened to fall. Growing by
// at most 1.5x keeps the peak at 153-161 MB, for up to ~0.1 ms more CPU per VM (34 full
// collections in that run instead of 25, a few ms of pause each; README "Performance").
// The flag is read at every full collection, so setting it at start-up takes effect.

export const HEAP_GROWING_PERCENT = 50;

const USER_FLAG = /^--heap[-_]growing[-_]percent(=|$)/;

/** Measured on Node 20 and 24 (V8 11.3 and 13.6); the flag is older than both. */
export const VERIFIED_MAJORS = { from: 20, to: 24 };

/**
 * The V8 flags `runbook run` sets when it starts: none when the user started node with a
 * growing factor of their own, which always wins (Node refuses this flag in NODE_OPTIONS, so
 * node's own arguments are the only place it can come from). None either on a Node major this
 * was not verified on: V8 prints "Error: unrecognized flag" to stderr for a flag it dropped,
 * which is no line to show in the middle of a failover.
 */
export function runV8Flags(execArgv: readonly string[], nodeMajor: number): string[] {
  if (!(nodeMajor >= VERIFIED_MAJORS.from && nodeMajor <= VERIFIED_MAJORS.to)) return [];
  if (execArgv.some((flag) => USER_FLAG.test(flag))) return [];
  return [`--heap-growing-percent=${HEAP_GROWING_PERCENT}`];
}

/** The major version of a `process.version` string ("v20.20.2" → 20). */
export function nodeMajor(version: string): number {
  return Number(/^v?(\d+)\./.exec(version)?.[1] ?? NaN);
}
