// Shared setup for rollback tests: a state directory holding the journal of a run that
// died with tasks in flight on the simulator, started by a session that died with it.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '../../engine/api/client.js';
import type { EmClient } from '../../engine/api/types.js';
import { type Clock, FakeClock } from '../../engine/clock.js';
import type { CommandIO } from '../../engine/io.js';
import type { JournalEntry } from '../../engine/state/journal-types.js';
import { createSimulator, demoInventory, type Simulator } from '../../engine/simulator/index.js';
import { deadPid } from './dead-pid.js';
import { createFakeEm } from './fake-em-client.js';
import { toJsonl } from './journal-fixture.js';

export const RUN_ID = '20261127T102233Z-dead';
export const SIM_URL = 'https://em01.lab.local:9398';
export const USER = 'runbook';
export const PASSWORD = 'rollback-Pa55<&>"word';

/** When the dead run started: the run-start of deadRunEntries. */
export const RUN_START_MS = Date.parse('2026-11-27T10:22:33Z');

export const PLAYBOOK_YAML = `version: 1
name: Rollback test
server:
  url: {env: EM_URL}
  username: {env: EM_USER}
  password: {env: EM_PASSWORD}
steps:
  - id: db
    failover:
      cdpReplica: ERP-CDP
      vms: [erp-db01]
`;

/** A simulator whose ERP failovers never finish on their own (so tasks stay Running). */
export function slowSimulator(clock: Clock): Simulator {
  const inventory = demoInventory({ name: USER, password: PASSWORD });
  const erp = inventory.cdpReplicas?.find((r) => r.name === 'ERP-CDP');
  if (erp) erp.behaviour = { failoverDuration: '1h' };
  return createSimulator({ inventory, clock, baseUrl: SIM_URL });
}

export function simClient(sim: Simulator, clock: Clock): EmClient {
  return createClient({ url: SIM_URL, username: USER, password: PASSWORD, fetch: sim.fetch, clock });
}

export function stateDirFor(entries: JournalEntry[]): { dir: string; stateDir: string; playbook: string } {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-rollback-'));
  const playbook = join(dir, 'rollback-test.yaml');
  writeFileSync(playbook, PLAYBOOK_YAML);
  const stateDir = join(dir, '.runbook');
  mkdirSync(join(stateDir, 'runs'), { recursive: true });
  writeFileSync(
    join(stateDir, 'runs', `${RUN_ID}.jsonl`),
    toJsonl(entries.map((e) => (e.type === 'run-start' ? { ...e, playbook: { ...e.playbook, file: playbook } } : e))),
  );
  return { dir, stateDir, playbook };
}

/**
 * The journal a run leaves when killed after EM accepted `accepted` failovers (task ids
 * given) and sent one more request (`erp-app02`) whose answer never came.
 */
export function deadRunEntries(
  pid: number,
  accepted: { vm: string; vmId: string; taskId: string }[],
  options: { simulated?: boolean; url?: string } = {},
): JournalEntry[] {
  const at = (s: number) => new Date(Date.parse('2026-11-27T10:22:33Z') + s * 1000).toISOString();
  const entries: JournalEntry[] = [
    {
      at: at(0),
      type: 'run-start',
      runId: RUN_ID,
      pid,
      playbook: { name: 'Rollback test', file: '(set by stateDirFor)', sha256: '00'.repeat(32) },
      params: {},
      server: { url: options.url ?? SIM_URL, media: 'xml', simulated: options.simulated ?? false, username: USER },
      host: { hostname: hostname(), user: 'runner' },
    },
    { at: at(1), type: 'step-start', stepId: 'db', name: 'Database tier', kind: 'failover' },
  ];
  accepted.forEach((a, i) => {
    entries.push({
      at: at(2 + i),
      type: 'request-intent',
      stepId: 'db',
      target: a.vm,
      targetId: a.vmId,
      method: 'POST',
      path: `/cdpReplicas/r/vms/${a.vmId}?action=failover`,
      replica: 'ERP-CDP',
      restorePoint: 'latest',
    });
    entries.push({ at: at(2 + i), type: 'request-accepted', stepId: 'db', target: a.vm, taskId: a.taskId });
  });
  return entries;
}

/** The environment `runbook rollback` reads the playbook's server credentials from. */
const ENV = { EM_URL: SIM_URL, EM_USER: USER, EM_PASSWORD: PASSWORD };

/** A run that died: its session (client A) started two failovers on the simulator. */
export async function diedOnSimulator() {
  const clock = new FakeClock({ start: RUN_START_MS });
  const sim = slowSimulator(clock);
  const a = simClient(sim, clock);
  const replica = (await a.findCdpReplica('ERP-CDP'))!;
  const vms = await a.listCdpReplicaVms(replica.id);
  const spec = { restoreCurrent: true, restoreCurrentVss: false };
  const accepted = [];
  for (const name of ['erp-db01', 'erp-app01']) {
    const vm = vms.find((v) => v.name === name)!;
    const task = await a.failoverCdpVm(replica.id, vm.id, spec);
    accepted.push({ vm: name, vmId: vm.id, taskId: task.taskId });
  }
  // Session A dies with the process: never logged out, never seen again.
  const setup = stateDirFor([...deadRunEntries(deadPid(), accepted), unknownRequest()]);
  const deps = { clock, createClient: (o: Parameters<typeof createClient>[0]) => createClient({ ...o, fetch: sim.fetch }) };
  return { clock, sim, accepted, env: ENV, deps, ...setup };
}

/**
 * A run that died after a fake EM (whose tasks any session sees) accepted two failovers of
 * replica ERP-CDP: erp-db01 (vm-1, task t1) and erp-app01 (vm-2, task t2), taking the given times.
 */
export async function diedOnFakeEm(durationMs: { erpDb01: number; erpApp01: number }) {
  const clock = new FakeClock({ start: RUN_START_MS, auto: true });
  const vms = [
    { id: 'vm-1', name: 'erp-db01', durationMs: durationMs.erpDb01 },
    { id: 'vm-2', name: 'erp-app01', durationMs: durationMs.erpApp01 },
  ];
  const fake = createFakeEm({ clock, replicas: [{ id: 'r', name: 'ERP-CDP', vms }] });
  const spec = { restoreCurrent: true, restoreCurrentVss: false };
  const t1 = await fake.client.failoverCdpVm('r', 'vm-1', spec);
  const t2 = await fake.client.failoverCdpVm('r', 'vm-2', spec);
  const setup = stateDirFor(
    deadRunEntries(deadPid(), [
      { vm: 'erp-db01', vmId: 'vm-1', taskId: t1.taskId },
      { vm: 'erp-app01', vmId: 'vm-2', taskId: t2.taskId },
    ]),
  );
  return { clock, fake, t1, t2, env: ENV, ...setup };
}

export function unknownRequest(): JournalEntry {
  return {
    at: '2026-11-27T10:23:00.000Z',
    type: 'request-intent',
    stepId: 'db',
    target: 'erp-app02',
    method: 'POST',
    path: '/cdpReplicas/r/vms/x?action=failover',
    replica: 'ERP-CDP',
  };
}

export interface FakeIO extends CommandIO {
  out: () => string;
  err: () => string;
}

export function fakeIO(options: { cwd: string; env?: Record<string, string>; answer?: string }): FakeIO {
  let out = '';
  let err = '';
  return {
    stdout: {
      write: (t) => {
        out += t;
      },
      isTTY: false,
    },
    stderr: {
      write: (t) => {
        err += t;
      },
      isTTY: false,
    },
    env: options.env ?? {},
    cwd: options.cwd,
    signal: new AbortController().signal,
    ...(options.answer !== undefined ? { prompt: async () => options.answer! } : {}),
    out: () => out,
    err: () => err,
  };
}
