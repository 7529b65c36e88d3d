// Shared helpers for the simulator suites: a simulator on a FakeClock with the demo
// inventory, logon, and small request shortcuts that use the plain handler (no sockets).

import { FakeClock } from '../../engine/clock.js';
import { createSimulator, demoInventory } from '../../engine/simulator/index.js';
import type { Inventory, Simulator, SimulatorOptions } from '../../engine/simulator/index.js';

export const BASE = 'https://localhost:9398';
export const API = `${BASE}/api`;
export const NS = 'http://www.veeam.com/ent/v1.0';

export interface TestSim {
  sim: Simulator;
  clock: FakeClock;
}

export function testSim(options: Partial<SimulatorOptions> & { inventory?: Inventory } = {}): TestSim {
  const clock = new FakeClock();
  const sim = createSimulator({ inventory: demoInventory(), clock, ...options });
  return { sim, clock };
}

export const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

export async function logon(
  sim: Simulator,
  user = 'runbook',
  password = 'runbook-demo',
): Promise<{ token: string; sessionId: string; headers: Record<string, string> }> {
  const r = await sim.fetch(`${API}/sessionMngr/?v=latest`, { method: 'POST', headers: { Authorization: basic(user, password) } });
  if (r.status !== 201) throw new Error(`logon failed: ${r.status} ${await r.text()}`);
  const body = await r.text();
  const sessionId = /<SessionId>([^<]+)<\/SessionId>/.exec(body)?.[1] ?? '';
  const token = r.headers.get('x-restsvcsessionid') ?? '';
  return { token, sessionId, headers: { 'X-RestSvcSessionId': token } };
}

export function json(headers: Record<string, string>): Record<string, string> {
  return { ...headers, Accept: 'application/json' };
}

/** The first CDP replica of the demo inventory and its VMs' ids, read through the API. */
export async function demoVm(
  sim: Simulator,
  headers: Record<string, string>,
  index = 0,
): Promise<{ replicaId: string; vmId: string; vmHref: string; name: string }> {
  const list = (await (await sim.fetch(`${API}/cdpReplicas`, { headers: json(headers) })).json()) as { Refs: Array<{ Href: string }> };
  const replicaHref = list.Refs[0]?.Href ?? '';
  const vms = (await (await sim.fetch(`${replicaHref}/vms`, { headers: json(headers) })).json()) as {
    Refs: Array<{ Href: string; Name: string }>;
  };
  const vm = vms.Refs[index];
  if (!vm) throw new Error('no demo VM');
  return { replicaId: replicaHref.split('/').pop() ?? '', vmId: vm.Href.split('/').pop() ?? '', vmHref: vm.Href, name: vm.Name };
}

export const FAILOVER_XML = (current = true, vss = false, extra = '') =>
  `<?xml version="1.0" encoding="utf-8"?><CdpFailoverStartSpec xmlns="${NS}"><RestoreCurrent>${current}</RestoreCurrent><RestoreCurrentVss>${vss}</RestoreCurrentVss>${extra}</CdpFailoverStartSpec>`;

export async function failover(sim: Simulator, headers: Record<string, string>, vmHref: string, body = FAILOVER_XML()): Promise<Response> {
  return sim.fetch(`${vmHref}?action=failover`, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/xml' }, body });
}

export async function taskOf(
  sim: Simulator,
  headers: Record<string, string>,
  id: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await sim.fetch(`${API}/tasks/${id}`, { headers: json(headers) });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/** The task's Result.Success (JSON), once it has a result. */
export async function successOf(sim: Simulator, headers: Record<string, string>, id: string): Promise<unknown> {
  return ((await taskOf(sim, headers, id)).body.Result as Record<string, unknown>).Success;
}

/** The TaskId of an answer that started a task (XML), or '' if it has none. */
export const taskIdOf = async (r: Response) => /<TaskId>([^<]+)</.exec(await r.text())?.[1] ?? '';
