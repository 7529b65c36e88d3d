// The benchmark run: which scenarios, at which sizes, in which order. Pure orchestration;
// main.ts parses the command line and prints.

import { runCliBench, type CliResult } from './cli-bench.js';
import { runFailover, type FailoverResult } from './failover.js';
import { describeMachine, type Machine } from './machine.js';
import { runSimRps, type SimRpsResult } from './sim-rps.js';

export const SCENARIOS = ['failover', 'naive', 'cli', 'sim'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface BenchOptions {
  only?: ScenarioName;
  /** Engine failover sizes. */
  sizes: number[];
  /** Hand-written pool sizes and one-at-a-time sizes. */
  poolSizes: number[];
  serialSizes: number[];
  /** Divides the task duration (2 s) and the poll interval (500 ms). 1 = real time. */
  timeScale: number;
  concurrency: number;
  cli: { runs: number; playbooks: number; manyRuns: number };
  sim: { connections: number; requests: number };
  /** Write a V8 CPU profile of each engine run here. */
  profileDir?: string;
  /** Also run the engine with its journal fsync stubbed out (diagnostic rows). */
  diagNoFsync?: boolean;
  /** Node/V8 flags for the engine process (not the default: reported with the results). */
  engineNodeOptions?: string[];
  /** The media type the engine's playbook asks for (not the default when json: reported). */
  media?: 'xml' | 'json';
  log?: (line: string) => void;
}

export interface BenchResults {
  machine: Machine;
  startedAt: string;
  options: {
    timeScale: number;
    taskMs: number;
    pollMs: number;
    concurrency: number;
    replicaSize: number;
    engineNodeOptions?: string[];
    media?: 'json';
  };
  failover: FailoverResult[];
  cli?: CliResult;
  sim?: SimRpsResult;
}

export const TASK_MS = 2_000;
export const POLL_MS = 500;

export async function runBench(o: BenchOptions): Promise<BenchResults> {
  const log = o.log ?? (() => undefined);
  const taskMs = Math.max(1, Math.round(TASK_MS / o.timeScale));
  const pollMs = Math.max(1, Math.round(POLL_MS / o.timeScale));
  const want = (name: ScenarioName) => o.only === undefined || o.only === name;
  const results: BenchResults = {
    machine: describeMachine(),
    startedAt: new Date().toISOString(),
    options: {
      timeScale: o.timeScale,
      taskMs,
      pollMs,
      concurrency: o.concurrency,
      replicaSize: 20,
      ...(o.engineNodeOptions ? { engineNodeOptions: o.engineNodeOptions } : {}),
      ...(o.media === 'json' ? { media: 'json' as const } : {}),
    },
    failover: [],
  };
  const scenario = (vms: number) => ({ vms, taskMs, pollMs, concurrency: o.concurrency, ...(o.media ? { media: o.media } : {}) });
  const engineRun = {
    ...(o.profileDir !== undefined ? { profileDir: o.profileDir } : {}),
    ...(o.engineNodeOptions ? { nodeOptions: o.engineNodeOptions } : {}),
  };
  if (want('failover')) {
    for (const n of o.sizes) {
      log(`failover: engine, ${n} VMs…`);
      results.failover.push(await runFailover('engine', scenario(n), engineRun));
      if (o.diagNoFsync) {
        log(`failover: engine with fsync stubbed (diagnostic), ${n} VMs…`);
        results.failover.push(
          await runFailover('engine-no-fsync', scenario(n), o.engineNodeOptions ? { nodeOptions: o.engineNodeOptions } : {}),
        );
      }
    }
  }
  if (want('naive')) {
    for (const n of o.poolSizes) {
      log(`failover: hand-written pool, ${n} VMs…`);
      results.failover.push(await runFailover('naive-pool', scenario(n)));
    }
    for (const n of o.serialSizes) {
      log(`failover: hand-written one-at-a-time loop, ${n} VMs…`);
      results.failover.push(await runFailover('naive-serial', scenario(n)));
    }
  }
  if (want('cli')) {
    log('cli: runbook validate…');
    results.cli = runCliBench(o.cli);
  }
  if (want('sim')) {
    log('sim: GET /tasks/{id} throughput…');
    results.sim = await runSimRps(o.sim);
  }
  return results;
}
