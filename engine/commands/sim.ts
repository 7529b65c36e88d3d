// `runbook sim`: serve the Enterprise Manager simulator (engine/simulator) on loopback,
// print one line per request, stop cleanly when cli.ts aborts io.signal (SIGINT/SIGTERM).

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { scaledClock, systemClock } from '../clock.js';
import { UsageError } from '../errors.js';
import { defineCommand, type OptionValues, parseOptions, renderHelp } from './options.js';
import type { Command } from '../io.js';
import type { Inventory, RequestLogEntry } from '../simulator/types.js';

export const SIM = defineCommand({
  name: 'sim',
  usage: '[options]',
  about: `Serve a simulated Veeam Backup Enterprise Manager REST API (/api, XML and JSON) for
trying playbooks without a real EM. Without --inventory or --from-playbook it serves a
demo inventory (3 CDP replicas, a vApp, a failover plan). At start it lists every
replica, VM, vApp and plan it serves: a playbook must use exactly these names.`,
  options: {
    host: { type: 'string', arg: 'HOST', description: 'address to listen on (default 127.0.0.1: loopback only)' },
    port: { type: 'string', arg: 'N', description: 'port (default 9398; 0 picks a free one)' },
    inventory: { type: 'string', arg: 'FILE', description: 'inventory YAML/JSON (schemas/inventory.schema.json)' },
    'from-playbook': { type: 'string', arg: 'FILE', description: 'an inventory holding everything the playbook names, healthy' },
    tls: {
      type: 'boolean',
      description:
        'HTTPS with a self-signed certificate made at start; ' +
        'its PEM is written to a file whose path is printed (use it as tls.caFile)',
    },
    seed: { type: 'string', arg: 'N', description: 'seed for faults with a rate and generated ids (default 1)' },
    'time-scale': { type: 'string', arg: 'X', description: "run the simulator's clock X times faster (default 1)" },
    'session-idle': { type: 'string', arg: 'DUR', description: 'logon session idle timeout (default 15m)' },
    quiet: { type: 'boolean', description: 'at start, count the inventory instead of listing every name' },
  },
  notes: `Account: VEEAM_EM_USERNAME / VEEAM_EM_PASSWORD when both are set, else the demo
account runbook / runbook-demo (Portal Administrator). Demo accounts operator /
operator-demo (Restore Operator) and portal / portal-demo (Portal User) also exist in the
demo inventory.`,
});

function positiveNumber(text: string, flag: string, integer: boolean, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
    throw new UsageError(`${flag}: "${text}" is not ${integer ? 'an integer' : 'a number'} between ${min} and ${max}`);
  }
  return n;
}

function logLine(e: RequestLogEntry): string {
  const time = e.at.slice(11, 23);
  const path = `/api${e.path === '/' ? '/' : e.path}${e.query ? `?${e.query}` : ''}`;
  const fault = e.fault ? ` [fault: ${e.fault}]` : '';
  const answer = `${e.status === 0 ? 'no response' : e.status}${e.taskId ? ` ${e.taskId}` : ''}`;
  return `${time} ${(e.session ?? '-').padEnd(4)} ${e.method} ${path} → ${answer}${fault}\n`;
}

export const simCommand: Command = async (argv, io) => {
  const { values } = parseOptions(SIM, argv);
  if (values.help) {
    io.stdout.write(renderHelp(SIM));
    return 0;
  }
  if (values.inventory !== undefined && values['from-playbook'] !== undefined) {
    throw new UsageError('runbook sim: give --inventory or --from-playbook, not both');
  }
  const host = values.host ?? '127.0.0.1';
  const port = values.port === undefined ? 9398 : positiveNumber(values.port, '--port', true, 0, 65535);
  const seed = values.seed === undefined ? 1 : positiveNumber(values.seed, '--seed', true, 0);
  const scale = values['time-scale'] === undefined ? 1 : positiveNumber(values['time-scale'], '--time-scale', false, 0.001, 1_000_000);
  const sim = await import('../simulator/index.js');
  const sessionIdleMs = await sessionIdle(values['session-idle'], sim.DEFAULT_SESSION_IDLE_MS);
  const admin = adminAccount(io.env, sim.DEMO_ADMIN);
  const { inventory, source } = await servedInventory(sim, values, io.cwd, admin);

  const simulator = sim.createSimulator({
    inventory,
    clock: scale === 1 ? systemClock : scaledClock(scale),
    seed,
    sessionIdleMs,
    maxLogEntries: 10_000,
    onRequest: (entry) => io.stdout.write(logLine(entry)),
  });
  const server = await sim.startSimulatorServer(simulator, { host, port, tls: values.tls === true });
  const out: string[] = [`Enterprise Manager simulator listening on ${server.url}/api/`];
  const password = admin === sim.DEMO_ADMIN ? `${admin.password} (demo default)` : 'from VEEAM_EM_PASSWORD';
  out.push(`  username: ${admin.name}   password: ${password}`);
  out.push(`  inventory: ${source}: ${sim.inventoryCounts(inventory)}`);
  if (values.quiet !== true) out.push(...sim.inventoryLines(inventory));
  // The CA file's folder is removed when the simulator stops (SIGINT/SIGTERM abort io.signal).
  let caDir: string | undefined;
  if (server.caPem) {
    caDir = await mkdtemp(join(tmpdir(), 'runbook-sim-'));
    const caFile = join(caDir, 'ca.pem');
    await writeFile(caFile, server.caPem, { mode: 0o644 });
    out.push(`  CA certificate: ${caFile} (trust it with server.tls.caFile; removed when the simulator stops)`);
  }
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) out.push(`  warning: listening on ${host}: reachable from other machines`);
  if (scale !== 1) out.push(`  time runs ${scale}x faster`);
  out.push('  press Ctrl-C to stop');
  io.stdout.write(`${out.join('\n')}\n`);

  await new Promise<void>((done) => {
    if (io.signal.aborted) return done();
    io.signal.addEventListener('abort', () => done(), { once: true });
  });
  await server.close();
  if (caDir !== undefined) await rm(caDir, { recursive: true, force: true });
  io.stdout.write('simulator stopped\n');
  return 0;
};

type SimValues = OptionValues<(typeof SIM)['options']>;
type SimModule = typeof import('../simulator/index.js');
type Account = { name: string; password: string };

/** `--session-idle` in milliseconds (the simulator's own duration grammar), or EM's default. */
async function sessionIdle(text: string | undefined, fallback: number): Promise<number> {
  if (text === undefined) return fallback;
  const { parseDuration } = await import('../simulator/duration.js');
  const parsed = parseDuration(text);
  if (typeof parsed === 'string' || parsed <= 0) {
    throw new UsageError(`--session-idle: ${typeof parsed === 'string' ? parsed : 'must be longer than 0'}`);
  }
  return parsed;
}

/** The account the simulator accepts: both VEEAM_EM_* variables, or the demo account. */
function adminAccount(env: Record<string, string | undefined>, demo: Account): Account {
  const envUser = env.VEEAM_EM_USERNAME;
  const envPassword = env.VEEAM_EM_PASSWORD;
  if ((envUser === undefined) !== (envPassword === undefined)) {
    throw new UsageError(
      'runbook sim: set both VEEAM_EM_USERNAME and VEEAM_EM_PASSWORD, or neither ' +
        '(then the demo account runbook / runbook-demo is used)',
    );
  }
  return envUser !== undefined && envPassword !== undefined ? { name: envUser, password: envPassword } : demo;
}

/** The inventory to serve (file, playbook or demo), with the admin account added when missing. */
async function servedInventory(
  sim: SimModule,
  values: SimValues,
  cwd: string,
  admin: Account,
): Promise<{ inventory: Inventory; source: string }> {
  let inventory: Inventory;
  let source: string;
  if (values.inventory !== undefined) {
    inventory = await sim.loadInventory(resolve(cwd, values.inventory));
    source = values.inventory;
  } else if (values['from-playbook'] !== undefined) {
    const { loadPlaybook } = await import('../playbook/validate.js');
    inventory = sim.inventoryFromPlaybook(await loadPlaybook(resolve(cwd, values['from-playbook'])));
    source = `playbook ${values['from-playbook']}`;
  } else {
    inventory = sim.demoInventory(admin);
    source = 'demo inventory';
  }
  const users = inventory.users ?? [];
  if (!users.some((u) => u.name.toLowerCase() === admin.name.toLowerCase())) {
    inventory = { ...inventory, users: [...users, { name: admin.name, password: admin.password, role: 'Portal Administrator' }] };
  }
  return { inventory, source };
}
