// Diagnostic: where a slot's cycle goes beyond the task's own 2 s, from the simulator's log.
//   node --import tsx test/bench/cycles.ts [VMs]   (npm run build first; default 1,000 VMs)
// For every task: poll lag (task finished → the first GET /tasks after it reached EM) and
// dispatch (that tick → the task's DELETE reached EM). Relaunch: the k-th failover POST
// against the (k − 200)-th DELETE, slots being freed in that order. Plus the first wave's
// spread (its 200 POSTs) and the longest gap between two ticks (a busy event loop shows there).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classify, stats, type Stats } from './analyze.js';
import { runEngineProcess } from './engine-process.js';
import { BENCH_USER, inventory, playbook, runConcurrency } from './generate.js';
import { startSimProcess } from './sim-process.js';

const s = { vms: Number(process.argv[2] ?? 1000), taskMs: 2000, pollMs: 500 };
const slots = runConcurrency(s);
const sim = await startSimProcess(inventory(s));
const work = mkdtempSync(join(tmpdir(), 'bench-cycles-'));
writeFileSync(join(work, 'p.yaml'), playbook(s));
const run = await runEngineProcess({
  argv: [join(work, 'p.yaml'), '--server', sim.url, '--yes', '--quiet', '--concurrency', String(slots), '--state-dir', join(work, 's')],
  env: { VEEAM_EM_USERNAME: BENCH_USER.name, VEEAM_EM_PASSWORD: BENCH_USER.password },
  cwd: work,
});
const { log } = await sim.log();
await sim.close();
rmSync(work, { recursive: true, force: true });

const posts: number[] = [];
const postAt = new Map<string, number>();
const deleteAt = new Map<string, number>();
const ticks: number[] = [];
for (const e of log) {
  const kind = classify(e);
  if (kind === 'failover') {
    posts.push(e.at);
    if (e.taskId) postAt.set(e.taskId, e.at);
  } else if (kind === 'deleteTask') deleteAt.set(e.path.slice('/tasks/'.length), e.at);
  else if (kind === 'pollList') ticks.push(e.at);
}
const lag: number[] = [];
const dispatch: number[] = [];
for (const [id, at] of postAt) {
  const seen = ticks.find((t) => t >= at + s.taskMs);
  const deleted = deleteAt.get(id);
  if (seen === undefined) continue;
  lag.push(seen - (at + s.taskMs));
  if (deleted !== undefined) dispatch.push(deleted - seen);
}
const freed = [...deleteAt.values()].sort((a, b) => a - b);
const relaunch = posts.slice(slots).map((at, k) => at - (freed[k] ?? at));
const gaps = ticks.slice(1).map((t, i) => t - (ticks[i] as number));
const show = (x: Stats) => `median ${x.median} ms, p99 ${x.p99}, max ${x.max}`;
process.stdout.write(
  `${[
    `${s.vms} VMs, ${slots} in flight: wall ${Math.round(run.wallMs)} ms, engine CPU ${Math.round(run.cpuMs)} ms, ${ticks.length} ticks`,
    `first wave: its ${Math.min(slots, posts.length)} POSTs spread over ${(posts[Math.min(slots, posts.length) - 1] ?? 0) - (posts[0] ?? 0)} ms`,
    `poll lag (finished → next tick):   ${show(stats(lag))}`,
    `dispatch (tick → DELETE):          ${show(stats(dispatch))}`,
    `relaunch (DELETE → next POST):     ${show(stats(relaunch))}`,
    `gap between ticks:                 ${show(stats(gaps))}`,
  ].join('\n')}\n`,
);
