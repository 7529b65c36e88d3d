// Shared by the signal drills (drill-signals*.test.ts): a playbook failing over 8 VMs (4 at a
// time, 10 simulated minutes each) through the real CLI against the simulator, a signal sent
// once enough failovers are running, and readers for what the run left behind.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestLogEntry } from '../../engine/simulator/index.js';
import { cliPath } from '../helpers/paths.js';
import { PASSWORD, USER } from './scenario.js';

export const VMS = Array.from({ length: 8 }, (_, i) => `sig${i + 1}`);
const PLAYBOOK = `version: 1
name: signal drill
defaults:
  pollInterval: 5s
steps:
  - id: tier
    failover: {cdpReplica: SIG-CDP, vms: [${VMS.join(', ')}], concurrency: 4}
`;
export const INVENTORY = {
  cdpReplicas: [{ name: 'SIG-CDP', vms: VMS.map((name) => ({ name, failoverDuration: '10m' })) }],
  users: [{ name: USER, password: PASSWORD, role: 'Portal Administrator' }],
};

export interface Spawned {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  dir: string;
}

/** Starts `runbook run`, sends `signal` once `inFlight` failover tasks are running, waits for the end. */
export function runAndSignal(signal: NodeJS.Signals, media: 'xml' | 'json', inFlight = 3, inventory: object = INVENTORY): Promise<Spawned> {
  const dir = mkdtempSync(join(tmpdir(), `drill-${signal}-`));
  writeFileSync(join(dir, 'pb.yaml'), PLAYBOOK);
  writeFileSync(join(dir, 'inv.json'), JSON.stringify(inventory));
  const args = [
    'run',
    'pb.yaml',
    '--simulate',
    '--inventory',
    'inv.json',
    '--media',
    media,
    '--time-scale',
    '60',
    '--state-dir',
    'state',
    '--report',
    'report.json',
    '--sim-log',
    'sim.jsonl',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let sent = false;
    // A hung child must not hang the suite.
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!sent && (stdout.match(/: running \(task-/g) ?? []).length >= inFlight) {
        sent = true;
        child.kill(signal);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, sig) => {
      clearTimeout(guard);
      resolve({ code, signal: sig, stdout, stderr, dir });
    });
  });
}

export const readLog = (file: string): RequestLogEntry[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RequestLogEntry);
export const failoverPosts = (log: RequestLogEntry[]) => log.filter((e) => e.method === 'POST' && e.query === 'action=failover');
export const stateDirFiles = (dir: string) => readdirSync(join(dir, 'state', 'runs')).map((f) => join(dir, 'state', 'runs', f));

export function secretsIn(texts: string[]): string[] {
  const basic = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
  return texts.flatMap((t) => [PASSWORD, basic, 'Basic '].filter((n) => t.includes(n)));
}
