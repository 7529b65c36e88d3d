// The explorer's two in-process modes. Systematic: each reference playbook once fault-free
// (numbering its requests), then every request index k × every fault kind (task faults only
// where k is a failover POST: elsewhere they cannot act). Random: a seed draws the playbook,
// media, failure policy, concurrency, poll interval, task duration and 1–4 faults.

import { seededRandom } from '../../engine/simulator/ids.js';
import { runSchedule, type Explored } from './run-schedule.js';
import { DEFAULTS, FAULT_KINDS, PLAYBOOKS, TASK_FAULTS, type PinnedFault, type PlaybookName, type Schedule } from './schedule.js';

export interface Cell {
  schedule: Schedule;
  result: Explored;
  /** `systematic` or `seed <n>`. */
  origin: string;
}

/** `only`: the request indexes to fault, given the fault-free run's task-creating POSTs (npm test's bounded slice). */
export async function* systematic(
  playbooks: readonly PlaybookName[] = PLAYBOOKS,
  only?: (k: number, posts: ReadonlySet<number>) => boolean,
): AsyncGenerator<Cell> {
  for (const pb of playbooks) {
    const clean: Schedule = { pb, ...DEFAULTS, faults: [] };
    const base = await runSchedule(clean);
    // A reference playbook that fails without any fault explores nothing (it once did: a param without a value).
    if (base.exitCode !== 0)
      throw new Error(`reference playbook ${pb} fails without a fault (exit ${base.exitCode}): ${base.output.slice(-400)}`);
    yield { schedule: clean, result: base, origin: 'systematic' };
    const posts = new Set(base.posts);
    for (let at = 1; at <= base.requests; at++) {
      if (only && !only(at, posts)) continue;
      for (const kind of FAULT_KINDS) {
        if (TASK_FAULTS.has(kind) && !posts.has(at)) continue;
        const schedule: Schedule = { ...clean, faults: [{ kind, at }] };
        yield { schedule, result: await runSchedule(schedule), origin: 'systematic' };
      }
    }
  }
}

/** Requests of a fault-free run (default timings), to draw fault positions in and a bit past. */
const SPAN: Record<PlaybookName, number> = { small: 45, 'two-tier': 150, erp: 45, mix: 55 };

export function scheduleOfSeed(seed: number): Schedule {
  const rnd = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const r = rnd();
  const pb: PlaybookName = r < 0.45 ? 'small' : r < 0.7 ? 'two-tier' : r < 0.8 ? 'erp' : 'mix';
  const faults: PinnedFault[] = [];
  const n = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < n; i++) {
    const kind = pick(FAULT_KINDS);
    const at = 1 + Math.floor(rnd() * SPAN[pb]);
    faults.push(kind === 'opfin' ? { kind, at, arg: pick(['2m', '10m', '40m']) } : { kind, at });
  }
  return {
    pb,
    media: rnd() < 0.5 ? 'xml' : 'json',
    onFailure: pick(['rollback', 'rollback', 'abort', 'continue'] as const),
    conc: pick([1, 2, 4, 8]),
    poll: pick(['1s', '5s', '30s']),
    dur: pick(['10s', '30s', '2m', '10m']),
    faults: faults.sort((a, b) => a.at - b.at),
  };
}

/** Seeds from..from+count-1; with `playbooks`, only the seeds that draw one of them (a re-run after a fix). */
export async function* seeds(from: number, count: number, playbooks?: readonly PlaybookName[]): AsyncGenerator<Cell> {
  for (let seed = from; seed < from + count; seed++) {
    const schedule = scheduleOfSeed(seed);
    if (playbooks && !playbooks.includes(schedule.pb)) continue;
    yield { schedule, result: await runSchedule(schedule), origin: `seed ${seed}` };
  }
}
