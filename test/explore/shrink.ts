// Shrinking: from a schedule that breaks some invariants, keep any simplification that still
// breaks at least one of them: drop faults, move each fault earlier, reset the timings and
// policy to the defaults, the smaller playbook. Greedy, to a fixed point (bounded).

import type { ExploreInvariant } from '../drills/explore-invariants.js';
import { runSchedule, violated, type Explored } from './run-schedule.js';
import { DEFAULTS, type Schedule } from './schedule.js';

const MAX_TRIES = 200;

function candidates(s: Schedule): Schedule[] {
  const out: Schedule[] = [];
  for (const i of s.faults.keys()) out.push({ ...s, faults: s.faults.filter((_, j) => j !== i) });
  if (s.pb !== 'small') out.push({ ...s, pb: 'small' });
  for (const key of ['media', 'onFailure', 'conc', 'poll', 'dur'] as const) {
    if (s[key] !== DEFAULTS[key]) out.push({ ...s, [key]: DEFAULTS[key] });
  }
  s.faults.forEach((f, i) => {
    if (f.arg !== undefined && f.arg !== '40m') out.push({ ...s, faults: s.faults.map((g, j) => (j === i ? { ...g, arg: '40m' } : g)) });
    if (f.arg !== undefined) out.push({ ...s, faults: s.faults.map((g, j) => (j === i ? { kind: g.kind, at: g.at } : g)) });
    for (const at of [1, Math.floor(f.at / 2), f.at - 1]) {
      if (at >= 1 && at < f.at) out.push({ ...s, faults: s.faults.map((g, j) => (j === i ? { ...g, at } : g)) });
    }
  });
  return out;
}

export async function shrink(
  start: Schedule,
  target: readonly ExploreInvariant[],
): Promise<{ schedule: Schedule; result?: Explored; tries: number }> {
  const breaks = (e: Explored) => violated(e).some((i) => target.includes(i));
  let best = start;
  let result: Explored | undefined;
  let tries = 0;
  for (let progress = true; progress && tries < MAX_TRIES; ) {
    progress = false;
    for (const c of candidates(best)) {
      if (++tries > MAX_TRIES) break;
      const e = await runSchedule(c);
      if (breaks(e)) {
        best = c;
        result = e;
        progress = true;
        break;
      }
    }
  }
  return { schedule: best, ...(result ? { result } : {}), tries };
}
