// Shared by the `runbook run --resume` suites (run-resume*.test.ts): a simulator served over
// HTTP on which an earlier run failed over one VM and died, and that run's journal.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '../../engine/api/client.js';
import { systemClock } from '../../engine/clock.js';
import type { JournalEntry } from '../../engine/state/journal-types.js';
import { createSimulator, demoInventory, startSimulatorServer } from '../../engine/simulator/index.js';
import { deadPid } from './dead-pid.js';
import { toJsonl } from './journal-fixture.js';

export const USER = 'runbook';
export const PASSWORD = 'resume-Pa55word';
export const ENV = { VEEAM_EM_USERNAME: USER, VEEAM_EM_PASSWORD: PASSWORD };
export const RUN_ID = '20261127T102233Z-part';
const PLAYBOOK = `version: 1
name: Resume test
params:
  ticket: {type: string, default: DR-1}
defaults: {pollInterval: 200ms}
steps:
  - id: db
    failover: {cdpReplica: ERP-CDP, vms: [erp-db01, erp-db02]}
  - id: app
    when: {step: db}
    failover: {cdpReplica: ERP-CDP, vms: [erp-app01]}
`;

/**
 * A simulator (failovers take 200 ms) on which an earlier run failed over erp-db01 and then
 * died before requesting erp-db02; its journal in a state dir beside the playbook.
 */
export async function afterPartialRun(params: Record<string, string> = { ticket: 'DR-1' }) {
  const inventory = demoInventory({ name: USER, password: PASSWORD });
  const erp = inventory.cdpReplicas?.find((r) => r.name === 'ERP-CDP');
  if (erp) erp.behaviour = { failoverDuration: '200ms' };
  const sim = createSimulator({ inventory, clock: systemClock, baseUrl: 'https://em01.lab.local:9398' });
  const server = await startSimulatorServer(sim, { port: 0 });
  const client = createClient({ url: server.url, username: USER, password: PASSWORD });
  const replica = (await client.findCdpReplica('ERP-CDP'))!;
  const vms = new Map((await client.listCdpReplicaVms(replica.id)).map((v) => [v.name, v.id]));
  const failOver = async (name: string) => {
    const task = await client.failoverCdpVm(replica.id, vms.get(name)!, { restoreCurrent: true, restoreCurrentVss: false });
    while ((await client.getTask(task.taskId)).state !== 'Finished') await new Promise((r) => setTimeout(r, 50));
    return task.taskId;
  };
  const task = { taskId: await failOver('erp-db01') };
  sim.log.length = 0;

  const dir = mkdtempSync(join(tmpdir(), 'runbook-resume-'));
  const playbook = join(dir, 'resume.yaml');
  writeFileSync(playbook, PLAYBOOK);
  const stateDir = join(dir, '.runbook');
  mkdirSync(join(stateDir, 'runs'), { recursive: true });
  const at = (s: number) => new Date(Date.parse('2026-11-27T10:22:33Z') + s * 1000).toISOString();
  const entries: JournalEntry[] = [
    {
      at: at(0),
      type: 'run-start',
      runId: RUN_ID,
      pid: deadPid(),
      playbook: { name: 'Resume test', file: playbook, sha256: '00'.repeat(32) },
      params,
      server: { url: server.url, media: 'xml', simulated: false, username: USER },
      host: { hostname: hostname(), user: 'runner' },
    },
    { at: at(1), type: 'step-start', stepId: 'db', name: 'db', kind: 'failover' },
    {
      at: at(2),
      type: 'request-intent',
      stepId: 'db',
      target: 'erp-db01',
      targetId: vms.get('erp-db01')!,
      method: 'POST',
      path: `/cdpReplicas/${replica.id}/vms/${vms.get('erp-db01')!}?action=failover`,
      replica: 'ERP-CDP',
      restorePoint: 'latest',
    },
    { at: at(2), type: 'request-accepted', stepId: 'db', target: 'erp-db01', taskId: task.taskId },
    { at: at(4), type: 'task-result', stepId: 'db', target: 'erp-db01', taskId: task.taskId, success: true, message: 'Ok' },
  ];
  writeFileSync(join(stateDir, 'runs', `${RUN_ID}.jsonl`), toJsonl(entries));
  const failoverPosts = () =>
    sim.log
      .filter((e) => e.method === 'POST' && String(e.query).includes('failover'))
      .map((e) => [...vms].find(([, id]) => e.path.endsWith(`/vms/${id}`))?.[0]);
  const close = async () => {
    await client.logout();
    await server.close();
  };
  return { server: { url: server.url, close }, playbook, stateDir, failoverPosts, failOver, vms, replicaId: replica.id, sim };
}
