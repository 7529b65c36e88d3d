// `npm run bench`: node --import tsx test/bench/main.ts [--quick] [--only NAME] [--out FILE]
// Needs the compiled engine (npm run build): the engine is measured as users run it.

import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runBench, SCENARIOS, type BenchOptions, type ScenarioName } from './bench.js';
import { distCli } from './paths.js';
import { renderReport } from './report.js';

const HELP = `Usage: node --import tsx test/bench/main.ts [options]

Benchmarks against the simulator (its own process, loopback), in real time.

Options:
  --quick              up to 1,000 VMs, fewer repeats
  --only NAME          one scenario: ${SCENARIOS.join(', ')}
  --out FILE           JSON results (default: bench-results.json in the OS temp folder,
                       never in the repository)
  --sizes LIST         engine failover sizes, e.g. 10,100 (default 10,100,1000,10000)
  --time-scale X       divide the task duration and poll interval by X (default 1)
  --profile DIR        write V8 CPU profiles (--cpu-prof) of every engine run and its simulator to DIR
  --diag-no-fsync      also run the engine with its journal fsync stubbed (diagnostic rows)
  --engine-node-options="FLAGS"
                       start the engine process with these Node/V8 flags on node's
                       command line (e.g. --engine-node-options=--max-old-space-size=1024); shown
                       in the report
  --media xml|json     the media type the engine speaks (default xml, as runbook run does);
                       json is a data point only: EM's JSON for finished tasks is unverified
  -h, --help           this help
`;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    only: { type: 'string' },
    out: { type: 'string' },
    sizes: { type: 'string' },
    'time-scale': { type: 'string' },
    profile: { type: 'string' },
    'diag-no-fsync': { type: 'boolean' },
    'engine-node-options': { type: 'string' },
    media: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
if (values.only !== undefined && !(SCENARIOS as readonly string[]).includes(values.only)) {
  process.stderr.write(`--only must be one of ${SCENARIOS.join(', ')}, got "${values.only}"\n`);
  process.exit(2);
}
if (!existsSync(distCli)) {
  process.stderr.write('bench: dist/cli.js is missing: run `npm run build` first (npm run bench does)\n');
  process.exit(2);
}
const timeScale = values['time-scale'] !== undefined ? Number(values['time-scale']) : 1;
if (!(timeScale > 0)) {
  process.stderr.write(`--time-scale must be a positive number, got "${values['time-scale']}"\n`);
  process.exit(2);
}
if (values.media !== undefined && values.media !== 'xml' && values.media !== 'json') {
  process.stderr.write(`--media must be xml or json, got "${values.media}"\n`);
  process.exit(2);
}
const quick = values.quick === true;
const sizes = values.sizes !== undefined ? values.sizes.split(',').map(Number) : quick ? [10, 100, 1000] : [10, 100, 1000, 10_000];
if (sizes.some((n) => !Number.isInteger(n) || n < 1)) {
  process.stderr.write(`--sizes must be whole numbers ≥ 1, got "${values.sizes}"\n`);
  process.exit(2);
}
const options: BenchOptions = {
  ...(values.only !== undefined ? { only: values.only as ScenarioName } : {}),
  sizes,
  poolSizes: sizes.filter((n) => n <= 1000),
  serialSizes: sizes.filter((n) => n <= (quick ? 10 : 100)),
  timeScale,
  concurrency: 200,
  cli: quick ? { runs: 10, playbooks: 1000, manyRuns: 1 } : { runs: 20, playbooks: 1000, manyRuns: 3 },
  sim: { connections: 8, requests: quick ? 10_000 : 30_000 },
  ...(values.profile !== undefined ? { profileDir: resolve(values.profile) } : {}),
  ...(values['diag-no-fsync'] ? { diagNoFsync: true } : {}),
  ...(values.media === 'json' ? { media: 'json' as const } : {}),
  ...(values['engine-node-options'] ? { engineNodeOptions: values['engine-node-options'].trim().split(/\s+/) } : {}),
  log: (line) => process.stderr.write(`${line}\n`),
};

const results = await runBench(options);
process.stdout.write(renderReport(results));
const out = values.out !== undefined ? resolve(values.out) : join(tmpdir(), 'bench-results.json');
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
process.stderr.write(`results written to ${out}\n`);
