// Debug helper: print the request timeline of one engine run (relative ms, kind).
import { BENCH_USER, inventory, playbook } from './generate.js';
import { startSimProcess } from './sim-process.js';
import { runEngineProcess } from './engine-process.js';
import { classify } from './analyze.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const n = Number(process.argv[2] ?? 100);
const s = { vms: n, taskMs: 2000, pollMs: 500 };
const sim = await startSimProcess(inventory(s));
const work = mkdtempSync(join(tmpdir(), 'tl-'));
writeFileSync(join(work, 'p.yaml'), playbook(s));
const r = await runEngineProcess(
  {
    argv: [join(work, 'p.yaml'), '--server', sim.url, '--yes', '--quiet', '--state-dir', join(work, 's')],
    env: { VEEAM_EM_USERNAME: BENCH_USER.name, VEEAM_EM_PASSWORD: BENCH_USER.password },
    cwd: work,
  },
  process.argv[3] !== undefined ? { profileDir: process.argv[3] } : {},
);
const { log } = await sim.log();
await sim.close();
const t0 = log[0]!.at;
let prev = '';
let count = 0;
let first = 0;
let last = 0;
for (const e of [...log, { at: 0, method: 'END', path: '/end', query: '', status: 0, taskId: '' }]) {
  const k = e.method === 'END' ? 'end' : classify(e);
  if (k === prev) {
    count++;
    last = e.at;
    continue;
  }
  if (prev) console.log(`${String(first - t0).padStart(6)}..${String(last - t0).padStart(6)} ${prev} x${count}`);
  prev = k;
  count = 1;
  first = e.at;
  last = e.at;
}
console.log(r.wallMs, r.cpuMs);
