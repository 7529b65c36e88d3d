// Crash points (`npm run explore -- --crash`): the built CLI runs the small playbook against
// the simulator over HTTP (real time, 300 ms failovers) and is SIGKILLed after its k-th
// request reached EM, or once its journal holds j lines. Then what an operator runs:
// `runbook status`, `runbook rollback --run --yes`, `runbook run --resume` (again with
// --ignore-unresolved when it refuses, exit 5). The invariants hold over the whole chain:
// one simulator, one request log, one state dir.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../engine/clock.js';
import type { RunReport } from '../../engine/state/report-types.js';
import { createSimulator, startSimulatorServer, type RequestLogEntry } from '../../engine/simulator/index.js';
import { checkReportTruth, TaskReads, type ExploreInvariant } from '../drills/explore-invariants.js';
import { checkI1 } from '../drills/invariants.js';
import { PASSWORD, REPLICA, USER, VMS } from '../drills/scenario.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { cliPath } from '../helpers/paths.js';

const ENV = { VEEAM_EM_USERNAME: USER, VEEAM_EM_PASSWORD: PASSWORD };
const PLAYBOOK = `version: 1
name: crash drill
server: {url: https://em.crash.invalid:9398/api, username: {env: VEEAM_EM_USERNAME}, password: {env: VEEAM_EM_PASSWORD}}
defaults: {pollInterval: 200ms, onFailure: rollback, timeout: 2m}
steps:
  - id: db
    failover: {cdpReplica: ${REPLICA}, vms: [${VMS.slice(0, 2).join(', ')}]}
  - id: app
    failover: {cdpReplica: ${REPLICA}, vms: [${VMS.slice(2, 4).join(', ')}], concurrency: 2}
`;

export type CrashPoint = { after: 'request'; k: number } | { after: 'journal line'; k: number } | { after: 'none'; k: 0 };

export interface ChainResult {
  point: CrashPoint;
  violations: Partial<Record<ExploreInvariant, string[]>>;
  steps: string[];
  /** Requests and journal lines of the first run (the crash points of a clean chain). */
  requests: number;
  journalLines: number;
}

const journalLines = (stateDir: string): number => {
  const runs = join(stateDir, 'runs');
  if (!existsSync(runs)) return 0;
  return readdirSync(runs)
    .filter((f) => f.endsWith('.jsonl'))
    .reduce((n, f) => n + readFileSync(join(runs, f), 'utf8').split('\n').filter(Boolean).length, 0);
};

/** One chain: run (killed at the point), status, rollback, resume. */
export async function crashChain(point: CrashPoint): Promise<ChainResult> {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-crash-'));
  const playbook = join(dir, 'crash.yaml');
  writeFileSync(playbook, PLAYBOOK);
  const stateDir = join(dir, '.runbook');
  const reads = new TaskReads();
  let child: ReturnType<typeof spawn> | undefined;
  let requests = 0;
  const inventory = {
    cdpReplicas: [{ name: REPLICA, vms: VMS.slice(0, 4).map((name) => ({ name, failoverDuration: '300ms' })) }],
    users: [{ name: USER, password: PASSWORD, role: 'Portal Administrator' as const }],
  };
  const sim = createSimulator({
    inventory,
    clock: systemClock,
    onRequest: (e: RequestLogEntry) => {
      reads.observe(e, () => sim.state);
      if (point.after === 'request' && ++requests === point.k) child?.kill('SIGKILL');
    },
  });
  const server = await startSimulatorServer(sim, { port: 0 });
  const steps: string[] = [];
  const outputs: string[] = [];
  const note = (what: string, r: CliResult) => {
    steps.push(`${what}: exit ${r.code ?? r.signal}`);
    outputs.push(r.stdout, r.stderr);
  };
  try {
    const args = ['run', playbook, '--state-dir', stateDir, '--server', server.url, '--yes'];
    const first = await killedRun(args, point, stateDir, (c) => (child = c));
    note('run', first);
    const counted = { requests: sim.log.length, journalLines: journalLines(stateDir) };
    const runId = readdirSync(join(stateDir, 'runs'))
      .find((f) => f.endsWith('.jsonl'))
      ?.replace(/\.jsonl$/, '');
    const late: string[] = [];
    const violations: Partial<Record<ExploreInvariant, string[]>> = { I6: late };
    if (first.signal && point.after === 'none') late.push('the uninterrupted run was killed by the time guard');
    if (runId) {
      note('status', await runCli(['status', '--run', runId, '--state-dir', stateDir], { env: ENV }));
      note('rollback', await runCli(['rollback', '--run', runId, '--state-dir', stateDir, '--server', server.url, '--yes'], { env: ENV }));
      const report = join(dir, 'resume.json');
      let resume = await runCli([...args, '--resume', runId, '--report', report], { env: ENV });
      note('resume', resume);
      if (resume.code === 5) {
        resume = await runCli([...args, '--resume', runId, '--report', report, '--ignore-unresolved'], { env: ENV });
        note('resume --ignore-unresolved', resume);
      }
      if (resume.signal) late.push(`resume killed by the time guard (${resume.signal})`);
      if (existsSync(report)) {
        const rep = JSON.parse(readFileSync(report, 'utf8')) as RunReport;
        violations.I3 = checkReportTruth(rep, sim.state);
        violations.I4 =
          (resume.code === 0) === (rep.outcome === 'succeeded') ? [] : [`resume exit ${resume.code} with outcome ${rep.outcome}`];
      }
    }
    violations.I1 = checkI1(sim.log, sim.state);
    violations.I2 = [...reads.badDeletes];
    const secrets = [PASSWORD, Buffer.from(`${USER}:${PASSWORD}`).toString('base64')];
    const files = listFiles(stateDir).map((f) => readFileSync(f, 'utf8'));
    violations.I5 = secrets.some((s) => [...outputs, ...files].some((t) => t.includes(s))) ? ['a secret in an output or a state file'] : [];
    return { point, violations, steps, ...counted };
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `runbook run`, SIGKILLed at the point (request: by the simulator's hook; journal line: by polling the file). */
function killedRun(
  args: string[],
  point: CrashPoint,
  stateDir: string,
  onChild: (c: ReturnType<typeof spawn>) => void,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onChild(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const watch =
      point.after === 'journal line' ? setInterval(() => journalLines(stateDir) >= point.k && child.kill('SIGKILL'), 2) : undefined;
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(watch);
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

/** Every crash point of the small playbook (`every`: only each n-th, to bound the time). */
export async function crashPoints(print: (line: string) => void, every = 1): Promise<number> {
  const clean = await crashChain({ after: 'none', k: 0 });
  const points: CrashPoint[] = [];
  for (let k = 1; k <= clean.requests; k += every) points.push({ after: 'request', k });
  for (let k = 1; k <= clean.journalLines; k += every) points.push({ after: 'journal line', k });
  let bad = 0;
  for (const point of [{ after: 'none', k: 0 } as CrashPoint, ...points]) {
    const r = point.after === 'none' ? clean : await crashChain(point);
    const broken = Object.entries(r.violations).filter(([, v]) => v.length > 0);
    if (broken.length > 0) bad++;
    print(
      `${point.after} ${point.k}: ${r.steps.join(', ')}${broken.length ? `\n  ${broken.map(([k, v]) => `${k}: ${v.join('; ')}`).join('\n  ')}` : ' — invariants hold'}`,
    );
  }
  print(`${points.length + 1} crash chains, ${bad} with a violation`);
  return bad === 0 ? 0 : 1;
}
