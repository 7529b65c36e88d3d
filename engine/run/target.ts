// Which Enterprise Manager a plan or run talks to, and as whom. Real server: URL, username
// and password with precedence flag > env (VEEAM_EM_*) > playbook; password files are
// relative to the playbook. `--simulate`: the embedded simulator as the client's fetch (no
// sockets), its inventory derived from the playbook or read from `--inventory`, on a
// time-scaled clock so a demo takes seconds.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createClient } from '../api/client.js';
import type { ClientEvent, EmClient } from '../api/types.js';
import { scaledClock, systemClock, type Clock } from '../clock.js';
import { errorMessage, ExitCode, RunbookError, UsageError } from '../errors.js';
import type { MediaType, Playbook, ValueRef } from '../playbook/types.js';
import { createSimulator, DEMO_ADMIN, inventoryFromPlaybook, loadInventory } from '../simulator/index.js';
import type { Inventory, Simulator } from '../simulator/index.js';

export interface TargetOptions {
  playbook: Playbook;
  env: Record<string, string | undefined>;
  cwd: string;
  server?: string;
  simulate: boolean;
  inventory?: string;
  media?: MediaType;
  /** Simulate mode: how much faster than real time the simulated world runs. @default 60 */
  timeScale?: number;
  onEvent?: (event: ClientEvent) => void;
}

export interface Target {
  client: EmClient;
  clock: Clock;
  url: string;
  username: string;
  media: MediaType;
  simulated: boolean;
  /** Values to keep out of every file and message. */
  secrets: string[];
  sim?: Simulator;
}

export const SIM_URL = 'https://simulator.invalid:9398';

export async function openTarget(o: TargetOptions): Promise<Target> {
  const media = o.media ?? o.playbook.server.media;
  if (o.simulate) {
    const scale = o.timeScale ?? 60;
    if (!(scale > 0)) throw new UsageError(`--time-scale must be a positive number, got ${scale}`);
    const clock = scale === 1 ? systemClock : scaledClock(scale);
    const inventory = o.inventory ? await readInventory(resolve(o.cwd, o.inventory)) : inventoryFromPlaybook(o.playbook);
    const admin = withAdmin(inventory);
    const username = o.env.VEEAM_EM_USERNAME ?? admin.name;
    const password = o.env.VEEAM_EM_PASSWORD ?? admin.password;
    const sim = createSimulator({ inventory, clock, baseUrl: SIM_URL });
    const client = createClient({
      url: SIM_URL,
      username,
      password,
      media,
      fetch: sim.fetch,
      clock,
      timeoutMs: o.playbook.server.requestTimeoutMs,
      ...(o.onEvent ? { onEvent: o.onEvent } : {}),
    });
    return { client, clock, url: `${SIM_URL}/api`, username, media, simulated: true, secrets: [password], sim };
  }
  const creds = serverCredentials(o.playbook, o.env, o.server);
  const { tls } = o.playbook.server;
  const client = createClient({
    url: creds.url,
    username: creds.username,
    password: creds.password,
    media,
    timeoutMs: o.playbook.server.requestTimeoutMs,
    tls: {
      ...(tls.caFile !== undefined ? { caFile: resolve(dirname(o.playbook.file), tls.caFile) } : {}),
      insecureSkipVerify: tls.insecureSkipVerify,
    },
    ...(o.onEvent ? { onEvent: o.onEvent } : {}),
  });
  return { client, clock: systemClock, url: creds.url, username: creds.username, media, simulated: false, secrets: [creds.password] };
}

async function readInventory(file: string): Promise<Inventory> {
  try {
    return await loadInventory(file);
  } catch (error) {
    // A missing or invalid inventory is bad input (exit 2), whatever class the loader used.
    if (error instanceof RunbookError && error.exitCode !== ExitCode.internal) throw error;
    throw new UsageError(`--inventory: ${errorMessage(error)}`, { cause: error });
  }
}

/** The inventory's first Portal Administrator, or the documented demo admin added to it. */
function withAdmin(inventory: Inventory): { name: string; password: string } {
  const users = (inventory.users ??= []);
  const admin = users.find((u) => u.role === 'Portal Administrator');
  if (admin) return { name: admin.name, password: admin.password };
  users.push({ name: DEMO_ADMIN.name, password: DEMO_ADMIN.password, role: 'Portal Administrator' });
  return DEMO_ADMIN;
}

/** flag > env > playbook, for each of URL, username and password. */
export function serverCredentials(playbook: Playbook, env: Record<string, string | undefined>, serverFlag?: string) {
  const s = playbook.server;
  const url = serverFlag ?? nonEmpty(env.VEEAM_EM_URL) ?? valueRef(s.url, env, 'server.url');
  const username = nonEmpty(env.VEEAM_EM_USERNAME) ?? valueRef(s.username, env, 'server.username');
  let password = nonEmpty(env.VEEAM_EM_PASSWORD);
  if (password === undefined && nonEmpty(env.VEEAM_EM_PASSWORD_FILE)) password = readSecret(env.VEEAM_EM_PASSWORD_FILE!, 'VEEAM_EM_PASSWORD_FILE');
  if (password === undefined && s.password) {
    password = 'env' in s.password ? nonEmpty(env[s.password.env]) : readSecret(resolve(dirname(playbook.file), s.password.file), 'server.password.file');
    if (password === undefined && 'env' in s.password) throw new UsageError(`server.password names the environment variable ${s.password.env}, which is not set`);
  }
  if (url === undefined) throw new UsageError('no Enterprise Manager URL: pass --server URL, set VEEAM_EM_URL, or set server.url in the playbook (or use --simulate)');
  if (username === undefined) throw new UsageError('no Enterprise Manager username: set VEEAM_EM_USERNAME or server.username in the playbook');
  if (password === undefined) throw new UsageError('no Enterprise Manager password: set VEEAM_EM_PASSWORD or VEEAM_EM_PASSWORD_FILE, or server.password in the playbook');
  return { url, username, password };
}

function valueRef(ref: ValueRef | undefined, env: Record<string, string | undefined>, where: string): string | undefined {
  if (!ref) return undefined;
  if ('value' in ref) return ref.value;
  const v = nonEmpty(env[ref.env]);
  if (v === undefined) throw new UsageError(`${where} names the environment variable ${ref.env}, which is not set`);
  return v;
}

function readSecret(file: string, where: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw new UsageError(`${where}: cannot read password file ${file}: ${errorMessage(error)}`);
  }
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
