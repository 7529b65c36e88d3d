// Scenario 1–3: fail over N VMs against the simulator in its own process, driven by the
// engine (`runbook run` in its own process) or by a hand-written script (in this process),
// and read what happened from the simulator's request log.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze, type RunAnalysis } from './analyze.js';
import { runEngineProcess, type EngineRunOptions } from './engine-process.js';
import { BENCH_USER, inventory, playbook, replicas, runConcurrency, waves, type Scenario } from './generate.js';
import { naivePool, naiveSerial } from './naive-em.js';
import { startSimProcess } from './sim-process.js';

export type Driver = 'engine' | 'engine-no-fsync' | 'naive-pool' | 'naive-serial';

export interface FailoverResult extends RunAnalysis {
  driver: Driver;
  vms: number;
  concurrency: number;
  taskMs: number;
  pollMs: number;
  waves: number;
  idealMs: number;
  /** The whole run (engine: the `runbook run` command incl. logon and name resolution). */
  wallMs: number;
  /** phaseMs / idealMs */
  ratio: number;
  requestsPerVm: number;
  /** Requests that are not polls, per VM (failover POST, restore-session read, task delete, lookups, session). */
  nonPollPerVm: number;
  pollPerVm: number;
  /** Engine process only. */
  cpuMsPerVm?: number;
  /** Of cpuMsPerVm, the main thread's (Linux only). */
  mainThreadCpuMsPerVm?: number;
  startRssMb?: number;
  peakRssMb?: number;
  simCpuMs: number;
  /** Process warnings the engine printed to stderr. */
  engineWarnings?: { count: number; first: string };
  ok: boolean;
  problem?: string;
}

export async function runFailover(driver: Driver, s: Scenario, options: EngineRunOptions = {}): Promise<FailoverResult> {
  const concurrency = driver === 'naive-serial' ? 1 : (s.concurrency ?? 200);
  const sim = await startSimProcess(inventory(s), options.profileDir);
  const work = mkdtempSync(join(tmpdir(), 'bench-run-'));
  let wallMs: number;
  let engine: Awaited<ReturnType<typeof runEngineProcess>> | undefined;
  let problem: string | undefined;
  try {
    if (driver === 'engine' || driver === 'engine-no-fsync') {
      const file = join(work, 'playbook.yaml');
      writeFileSync(file, playbook(s));
      engine = await runEngineProcess(
        {
          argv: [
            file,
            '--server',
            sim.url,
            '--yes',
            '--quiet',
            '--concurrency',
            String(runConcurrency(s)),
            '--state-dir',
            join(work, 'state'),
          ],
          env: { VEEAM_EM_USERNAME: BENCH_USER.name, VEEAM_EM_PASSWORD: BENCH_USER.password },
          cwd: work,
          ...(driver === 'engine-no-fsync' ? { diagNoFsync: true } : {}),
        },
        options,
      );
      wallMs = engine.wallMs;
      if (engine.exitCode !== 0) problem = `runbook run exited ${engine.exitCode}: ${engine.error ?? ''} ${engine.stderr}`.trim();
    } else {
      const target = { url: sim.url, username: BENCH_USER.name, password: BENCH_USER.password };
      const vms = replicas(s).flatMap((r) => r.vms.map((vm) => ({ replicaId: r.id, vmId: vm.id })));
      const t0 = performance.now();
      try {
        if (driver === 'naive-pool') await naivePool(target, vms, concurrency, s.pollMs);
        else await naiveSerial(target, vms, s.pollMs);
      } catch (error) {
        problem = error instanceof Error ? error.message : String(error);
      }
      wallMs = performance.now() - t0;
    }
    const { log, cpuMs: simCpuMs } = await sim.log();
    const a = analyze(log, s.taskMs);
    const w = driver === 'naive-serial' ? s.vms : waves(s);
    const idealMs = w * s.taskMs;
    const polls = a.byKind.pollList + a.byKind.pollOne;
    if (!problem && a.vmsFailedOverOnce !== s.vms)
      problem = `${a.vmsFailedOverOnce} of ${s.vms} VMs got exactly one failover POST (${a.vmsPostedTwice} got more)`;
    if (!problem && a.byKind.deleteTask !== s.vms) problem = `${a.byKind.deleteTask} task deletes for ${s.vms} VMs`;
    return {
      ...a,
      driver,
      vms: s.vms,
      concurrency,
      taskMs: s.taskMs,
      pollMs: s.pollMs,
      waves: w,
      idealMs,
      wallMs,
      ratio: a.phaseMs / idealMs,
      requestsPerVm: a.requests / s.vms,
      nonPollPerVm: (a.requests - polls) / s.vms,
      pollPerVm: polls / s.vms,
      ...(engine?.warnings ? { engineWarnings: engine.warnings } : {}),
      ...(engine ? { cpuMsPerVm: engine.cpuMs / s.vms, startRssMb: engine.startRssMb, peakRssMb: engine.peakRssMb } : {}),
      ...(engine?.mainThreadCpuMs !== undefined ? { mainThreadCpuMsPerVm: engine.mainThreadCpuMs / s.vms } : {}),
      simCpuMs,
      ok: problem === undefined,
      ...(problem !== undefined ? { problem } : {}),
    };
  } finally {
    await sim.close();
    rmSync(work, { recursive: true, force: true });
  }
}
