// `npm run explore`: the fault explorer (issue #20). See test/drills/README.md.
//   npm run explore                          systematic cells of the four playbooks + 1000 seeds
//   npm run explore -- --seeds 20000         the deep run
//   npm run explore -- --seed 42             one seed, in detail
//   npm run explore -- --replay '<line>'     one schedule, in detail
//   npm run explore -- --crash               crash points through the built CLI (npm run build first)
// Options: --from S (first seed, default 1), --no-systematic, --pb a,b (only these playbooks: the systematic cells,
// and the seeds that draw them), --shrink N (classes to shrink,
// default 8), --every N (crash points: only every n-th), --minutes M (stop drawing seeds after
// M minutes of wall time), --verbose (the run's own output).

import { publishTable } from '../drills/table.js';
import { crashPoints } from './crash.js';
import { seeds, scheduleOfSeed, systematic, type Cell } from './modes.js';
import { runSchedule, violated } from './run-schedule.js';
import { formatSchedule, parseSchedule, type Schedule } from './schedule.js';
import { shrink } from './shrink.js';
import { Tally } from './tally.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const replayCommand = (s: Schedule) => `npm run explore -- --replay '${formatSchedule(s)}'`;

async function detail(schedule: Schedule): Promise<number> {
  const e = await runSchedule(schedule);
  process.stdout.write(
    `${e.line}\n${e.requests} requests, ${e.fired} faults fired, exit ${e.exitCode}, ${Math.round(e.virtualMs / 1000)} s virtual, ${Math.round(e.realMs)} ms real\n`,
  );
  const broken = violated(e);
  for (const inv of broken) for (const m of e.violations[inv]) process.stdout.write(`  ${inv}: ${m}\n`);
  if (broken.length === 0) process.stdout.write('  all six invariants hold\n');
  if (flag('--verbose')) process.stdout.write(`--- run output ---\n${e.output}\n`);
  return broken.length === 0 ? 0 : 1;
}

async function explore(): Promise<number> {
  const tally = new Tally();
  const started = performance.now();
  const note = (cell: Cell) => {
    tally.add(cell);
    if (tally.total % 250 === 0)
      process.stderr.write(
        `  ${tally.total} schedules, ${tally.violating} violating, ${Math.round((performance.now() - started) / 1000)} s\n`,
      );
  };
  const only = option('--pb')
    ?.split(',')
    .map((p) => parseSchedule(`pb=${p}`).pb);
  if (!flag('--no-systematic')) for await (const cell of systematic(only)) note(cell);
  const count = Number(option('--seeds') ?? 1000);
  // A wall-clock cap for a shared machine: the table then says how many seeds were explored.
  const deadline = started + Number(option('--minutes') ?? Infinity) * 60_000;
  for await (const cell of seeds(Number(option('--from') ?? 1), count, only)) {
    note(cell);
    if (performance.now() > deadline) {
      process.stderr.write(`--minutes reached after ${tally.total} schedules\n`);
      break;
    }
  }
  publishTable(
    'runbook-explore',
    tally.render(`Fault explorer: fault kind × invariant (${Math.round((performance.now() - started) / 1000)} s)`),
  );
  const classes = [...tally.classes.values()].sort((a, b) => b.count - a.count);
  const budget = Number(option('--shrink') ?? 8);
  for (const c of classes.slice(0, budget)) {
    const shrunk = await shrink(c.first.schedule, [c.invariant]);
    process.stdout.write(
      `\n${c.invariant} ×${c.count} (first: ${c.first.origin}): ${c.example}\n  shrunk in ${shrunk.tries} runs: ${replayCommand(shrunk.schedule)}\n`,
    );
  }
  if (classes.length > budget) process.stdout.write(`\n${classes.length - budget} more classes not shrunk (--shrink N)\n`);
  return classes.length === 0 ? 0 : 1;
}

async function main(): Promise<number> {
  const replay = option('--replay');
  if (replay !== undefined) return detail(parseSchedule(replay));
  const seed = option('--seed');
  if (seed !== undefined) return detail(scheduleOfSeed(Number(seed)));
  if (flag('--crash')) return crashPoints((line: string) => process.stdout.write(`${line}\n`), Number(option('--every') ?? 1));
  return explore();
}

process.exitCode = await main();
