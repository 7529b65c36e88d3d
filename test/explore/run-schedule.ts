// One schedule through the real engine, in process (the drill scenario: simulator handler as
// fetch, FakeClock in auto mode), then the six invariants. The run's files are removed
// afterwards: the explorer makes thousands of them.

import { rmSync } from 'node:fs';
import { checkExplored, TaskReads, type ExploreInvariant } from '../drills/explore-invariants.js';
import { runDrill, VMS } from '../drills/scenario.js';
import { referenceSpec } from './reference.js';
import { formatSchedule, stepsOf, toFaultSpec, type Schedule } from './schedule.js';

const START = Date.parse('2026-01-01T00:00:00Z');
/** Two 30m steps, the rollback's wait and the session/retry slack: a run past this has hung on the fake clock. */
export const VIRTUAL_BUDGET_MS = 3 * 3_600_000;
/** Real time, only as a guard against a run that never settles (every wait, request deadlines
 * included, is on the fake clock). A run that progresses sends requests every few ms of real
 * time: one that sends none for STALL_MS has hung. A fixed cap on the whole run tripped on a
 * 5-s schedule while the machine ran three other jobs (deep run, 3 Dec 2026: seed 288). */
const STALL_MS = Number(process.env.EXPLORE_GUARD_S ?? 60) * 1000;
/** A guard tick this late means the process itself did not run (paused by a debugger, starved):
 * that gap is nobody's stall. (The I6 hangs no replay repeated were a real defect, a GC during a
 * simulator hang: test/hung-request-gc.test.ts. This only keeps a paused explorer from crying wolf.) */
const TICK_MS = 1000;
const LATE_TICK_MS = 5 * TICK_MS;
/** And a cap for a run that keeps sending but never ends. */
const REAL_CAP_MS = 20 * 60_000;

export interface Explored {
  line: string;
  violations: Record<ExploreInvariant, string[]>;
  requests: number;
  /** Faults that fired (a pinned fault past the last request never fires). */
  fired: number;
  virtualMs: number;
  realMs: number;
  exitCode: number;
  output: string;
  /** Request indexes (k) of the POSTs that created a task: where task faults can act. */
  posts: number[];
  /** Exec commands and undos the run asked for, in order (recorded, not spawned). */
  execs: string[][];
}

export function violated(e: Explored): ExploreInvariant[] {
  return (Object.keys(e.violations) as ExploreInvariant[]).filter((k) => e.violations[k].length > 0);
}

export async function runSchedule(s: Schedule): Promise<Explored> {
  const reads = new TaskReads();
  const started = performance.now();
  let lastRequest = started;
  let lastTick = started;
  let timer: NodeJS.Timeout | undefined;
  let hung = '';
  const guard = new Promise<undefined>((resolve) => {
    timer = setInterval(() => {
      const now = performance.now();
      if (now - lastTick > LATE_TICK_MS) lastRequest += now - lastTick - TICK_MS;
      lastTick = now;
      if (now - lastRequest > STALL_MS) hung = `no request for ${STALL_MS / 1000}s of real time, and no end`;
      else if (now - started > REAL_CAP_MS) hung = `no end after ${REAL_CAP_MS / 60_000} min of real time`;
      if (hung) resolve(undefined);
    }, TICK_MS);
  });
  const run = await Promise.race([
    runDrill({
      name: 'explore',
      media: s.media,
      faults: s.faults.map(toFaultSpec),
      vms: Object.fromEntries(VMS.map((v) => [v, { failoverDuration: s.dur }])),
      steps: stepsOf(s),
      onFailure: s.onFailure,
      pollInterval: s.poll,
      noFsync: true,
      onRequest: (e, state) => {
        lastRequest = performance.now();
        reads.observe(e, state);
      },
      ...(s.pb === 'small' || s.pb === 'two-tier' ? {} : referenceSpec(s.pb, s)),
    }),
    guard,
  ]);
  clearInterval(timer);
  const line = formatSchedule(s);
  const realMs = performance.now() - started;
  if (!run) {
    const none = { I1: [], I2: [], I3: [], I4: [], I5: [] };
    return {
      line,
      violations: { ...none, I6: [hung] },
      requests: 0,
      fired: 0,
      virtualMs: Infinity,
      realMs,
      exitCode: -1,
      output: '',
      posts: [],
      execs: [],
    };
  }
  const endedAt = run.report.endedAt ?? run.sim.log.at(-1)?.at;
  const virtualMs = endedAt ? Date.parse(endedAt) - START : 0;
  try {
    const violations = checkExplored(run, reads, { ended: true, virtualMs, budgetMs: VIRTUAL_BUDGET_MS });
    const fired = run.sim.log.filter((e) => e.fault !== undefined).length;
    // Every POST that created a task: CDP and vApp failovers, a plan's start or undo.
    const posts = run.sim.log.filter((e) => e.method === 'POST' && e.taskId !== undefined).map((e) => e.seq);
    return {
      line,
      violations,
      requests: run.sim.log.length,
      fired,
      virtualMs,
      realMs,
      exitCode: run.exitCode,
      output: run.output,
      posts,
      execs: run.execs,
    };
  } finally {
    rmSync(run.dir, { recursive: true, force: true });
  }
}
