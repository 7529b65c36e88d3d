// Which Enterprise Manager a plan or run talks to, and as whom. Real server: URL, username
// and password from --server, VEEAM_EM_* and the playbook's server block, in that order
// (precedence in credentials.ts); password files are relative to the playbook. `--simulate`:
// the embedded simulator as the client's fetch (no sockets), its inventory derived from the
// playbook or read from `--inventory`, on a time-scaled clock so a demo takes seconds.

import { resolve } from 'node:path';
import { createClient, tlsWarning } from '../api/client.js';
import type { ClientEvent, EmClient } from '../api/types.js';
import { scaledClock, systemClock, type Clock } from '../clock.js';
import { errorMessage, ExitCode, RunbookError, UsageError } from '../errors.js';
import type { MediaType, Playbook } from '../playbook/types.js';
import { resolveCredentials, serverClientOptions, type Credentials } from './credentials.js';
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
  /** Simulated runs: how much faster than real time `clock` runs. */
  timeScale?: number;
  /** Set when TLS verification is off (insecureSkipVerify): the caller prints it. */
  warning?: string;
}

export const SIM_URL = 'https://simulator.invalid:9398';

/** After how long (and how often) a request without an answer is said to wait. */
export const WAIT_NOTICE_MS = 5_000;

export async function openTarget(o: TargetOptions): Promise<Target> {
  const media = o.media ?? o.playbook.server.media;
  if (o.simulate) {
    const scale = o.timeScale ?? 60;
    if (!(scale > 0)) throw new UsageError(`--time-scale must be a positive number, got ${scale}`);
    const clock = scale === 1 ? systemClock : scaledClock(scale);
    const inventory = o.inventory ? await readInventory(resolve(o.cwd, o.inventory)) : inventoryFromPlaybook(o.playbook);
    const { username, password } = rehearsalAccount(inventory, o.env, o.inventory === undefined);
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
    return { client, clock, url: `${SIM_URL}/api`, username, media, simulated: true, secrets: [password], sim, timeScale: scale };
  }
  const creds = serverCredentials(o.playbook, o.env, o.server);
  const options = {
    url: creds.url,
    username: creds.username,
    password: creds.password,
    media,
    ...serverClientOptions(o.playbook.server, o.playbook.file),
    ...(o.onEvent ? { onEvent: o.onEvent } : {}),
    // A real EM that keeps quiet is said to keep quiet (the in-process simulator never does).
    // Said before the request times out, also with a short server.timeout.
    waitNoticeMs: Math.min(WAIT_NOTICE_MS, o.playbook.server.requestTimeoutMs / 4),
  };
  const client = createClient(options);
  const warning = tlsWarning(options);
  return {
    client,
    clock: systemClock,
    url: creds.url,
    username: creds.username,
    media,
    simulated: false,
    secrets: [creds.password],
    ...(warning !== undefined ? { warning } : {}),
  };
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

/**
 * Who a rehearsal logs on as: the account the client would use (VEEAM_EM_USERNAME and
 * VEEAM_EM_PASSWORD, one or both), filled in from the inventory's first Portal Administrator
 * or the documented demo admin. The simulator is taught that account, so a shell set up for
 * the real EM rehearses as it is. An `--inventory` file's own users keep their passwords
 * (a deliberate logon test); a derived inventory takes the account as given.
 */
function rehearsalAccount(
  inventory: Inventory,
  env: Record<string, string | undefined>,
  derived: boolean,
): { username: string; password: string } {
  inventory.users ??= [];
  const users = inventory.users;
  const admin = users.find((u) => u.role === 'Portal Administrator') ?? DEMO_ADMIN;
  const username = env.VEEAM_EM_USERNAME || admin.name;
  const password = env.VEEAM_EM_PASSWORD || (username === admin.name ? admin.password : DEMO_ADMIN.password);
  const known = users.find((u) => u.name.toLowerCase() === username.toLowerCase());
  if (!known) users.push({ name: username, password, role: 'Portal Administrator' });
  else if (derived) known.password = password;
  return { username, password };
}

/**
 * The real server's URL and account: engine/commands/credentials.ts decides (the one place that
 * knows the precedence, shared with `runbook rollback`, so a rollback talks to the EM the
 * run used). When something is missing, say which env var the playbook named and found unset.
 */
export function serverCredentials(playbook: Playbook, env: Record<string, string | undefined>, serverFlag?: string): Credentials {
  try {
    return resolveCredentials({ env, server: playbook.server, playbookFile: playbook.file, urlFlag: serverFlag });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const unset = unsetEnvRefs(playbook, env);
    if (unset.length === 0) throw error;
    throw new UsageError(`${error.message}; note: ${unset.join(', ')}`, { cause: error });
  }
}

function unsetEnvRefs(playbook: Playbook, env: Record<string, string | undefined>): string[] {
  const refs: [string, { env: string } | object | undefined][] = [
    ['server.url', playbook.server.url],
    ['server.username', playbook.server.username],
    ['server.password', playbook.server.password],
  ];
  return refs.flatMap(([where, ref]) => (ref && 'env' in ref && !env[ref.env] ? [`${where} names ${ref.env}, which is not set`] : []));
}
