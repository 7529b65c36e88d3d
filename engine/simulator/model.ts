// The in-memory model the simulator serves, built once from a (validated) inventory.
// It is deliberately small per VM (shared behaviour/history objects, no restore-point
// arrays: history.ts generates points on demand), so 10,000 VMs stay cheap.

import { UsageError } from '../errors.js';
import { parseDuration } from './duration.js';
import { uuidFromName } from './ids.js';
import type { Behaviour, DurationInput, HistorySpec, Inventory, Role, WrittenVm } from './types.js';

export interface BehaviourN {
  durationMs: number;
  fail?: string;
  neverFinish: boolean;
  operationFinishedMs: number;
}
export interface HistoryN {
  lagMs: number;
  /** 0: no application-consistent points. */
  appEveryMs: number;
  historyMs: number;
}
export interface ServerM {
  id: string;
  name: string;
  /** Fake vCenter instance id used in VmRef urns. */
  vcenterId: string;
}
export interface VmM {
  id: string;
  name: string;
  vmRef: string;
  behaviour: BehaviourN;
  history: HistoryN;
  failedOver: boolean;
}
export interface ReplicaM {
  id: string;
  name: string;
  policyId: string;
  server: ServerM;
  repository: { id: string; name: string };
  vms: VmM[];
  vmById: Map<string, VmM>;
}
export interface VAppM {
  id: string;
  name: string;
  vappRef: string;
  policyId: string;
  policyName: string;
  server: ServerM;
  vms: VmM[];
  vmById: Map<string, VmM>;
  behaviour: BehaviourN;
  history: HistoryN;
  failedOver: boolean;
}
export interface PlanM {
  id: string;
  name: string;
  description?: string;
  server: ServerM;
  vms: string[];
  behaviour: BehaviourN;
  active: boolean;
}
export interface ReplicaPointM {
  id: string;
  vm: string;
  server: ServerM;
  createdAt: number;
  behaviour: BehaviourN;
  failedOver: boolean;
}
export interface UserM {
  name: string;
  password: string;
  role: Role;
}
export interface Model {
  servers: ServerM[];
  replicas: ReplicaM[];
  replicaById: Map<string, ReplicaM>;
  vapps: VAppM[];
  vappById: Map<string, VAppM>;
  plans: PlanM[];
  planById: Map<string, PlanM>;
  points: ReplicaPointM[];
  pointById: Map<string, ReplicaPointM>;
  /** Keyed by lower-case name (Windows account names are case-insensitive). */
  users: Map<string, UserM>;
}

export const DEFAULT_BEHAVIOUR: Behaviour = { failoverDuration: '3s', operationFinishedFor: 0, neverFinish: false };
export const DEFAULT_HISTORY: HistorySpec = { replicationLag: '15s', appConsistentEvery: '1h', history: '24h' };

/** Builds the model; `now` anchors replica points without `createdAt`. Throws UsageError (exit 2) listing every problem. */
export function buildModel(inventory: Inventory, now: number): Model {
  const problems: string[] = [];
  const ms = (value: DurationInput | undefined, fallback: number, where: string): number => {
    if (value === undefined) return fallback;
    const parsed = parseDuration(value);
    if (typeof parsed === 'string') {
      problems.push(`${where}: ${parsed}`);
      return fallback;
    }
    return parsed;
  };
  // Identical specs share one normalized object: 10,000 VMs with default behaviour hold one.
  const cache = new Map<string, BehaviourN | HistoryN>();
  const behaviour = (own: Behaviour | undefined, parent: BehaviourN, where: string): BehaviourN => {
    if (!own || (own.failoverDuration === undefined && own.fail === undefined && own.neverFinish === undefined && own.operationFinishedFor === undefined)) return parent;
    const b: BehaviourN = {
      durationMs: ms(own.failoverDuration, parent.durationMs, `${where}.failoverDuration`),
      neverFinish: own.neverFinish ?? parent.neverFinish,
      operationFinishedMs: ms(own.operationFinishedFor, parent.operationFinishedMs, `${where}.operationFinishedFor`),
      ...(own.fail !== undefined ? { fail: own.fail } : parent.fail !== undefined ? { fail: parent.fail } : {}),
    };
    const key = `b${JSON.stringify(b)}`;
    return (cache.get(key) as BehaviourN | undefined) ?? (cache.set(key, b), b);
  };
  const history = (own: HistorySpec | undefined, parent: HistoryN, where: string): HistoryN => {
    if (!own) return parent;
    const h: HistoryN = {
      lagMs: ms(own.replicationLag, parent.lagMs, `${where}.replicationLag`),
      appEveryMs: ms(own.appConsistentEvery, parent.appEveryMs, `${where}.appConsistentEvery`),
      historyMs: ms(own.history, parent.historyMs, `${where}.history`),
    };
    if (h.lagMs >= h.historyMs) problems.push(`${where}: replicationLag must be shorter than history`);
    const key = `h${JSON.stringify(h)}`;
    return (cache.get(key) as HistoryN | undefined) ?? (cache.set(key, h), h);
  };

  const rootBehaviour = behaviour({ ...DEFAULT_BEHAVIOUR, ...stripHistory(inventory.defaults) }, { durationMs: 3000, neverFinish: false, operationFinishedMs: 0 }, 'defaults');
  const rootHistory = history({ ...DEFAULT_HISTORY, ...inventory.defaults?.history }, { lagMs: 15_000, appEveryMs: 3_600_000, historyMs: 86_400_000 }, 'defaults.history');

  const servers: ServerM[] = (inventory.backupServers ?? []).map((s) => server(s.name, s.id));
  const serverByName = new Map(servers.map((s) => [s.name.toLowerCase(), s]));
  const serverFor = (name: string | undefined, where: string): ServerM => {
    if (name === undefined) {
      if (servers.length === 0) servers.push(server('vbr01.lab.local'));
      return servers[0] as ServerM;
    }
    const found = serverByName.get(name.toLowerCase());
    if (found) return found;
    if ((inventory.backupServers ?? []).length > 0) problems.push(`${where}.backupServer: "${name}" is not in backupServers`);
    const created = server(name);
    servers.push(created);
    serverByName.set(name.toLowerCase(), created);
    return created;
  };

  const ids = new Map<string, string>();
  const claim = (id: string, what: string) => {
    const key = id.toLowerCase();
    const previous = ids.get(key);
    if (previous) problems.push(`${what}: id ${id} is already used by ${previous}`);
    else ids.set(key, what);
    return key;
  };
  let vmIndex = 100;
  const vmsOf = (list: Array<WrittenVm | string>, owner: string, ownerKind: string, srv: ServerM, b: BehaviourN, h: HistoryN, where: string) => {
    const vms: VmM[] = [];
    const names = new Set<string>();
    list.forEach((entry, i) => {
      const w: WrittenVm = typeof entry === 'string' ? { name: entry } : entry;
      const at = `${where}.vms[${i}]`;
      if (names.has(w.name.toLowerCase())) problems.push(`${at}: VM "${w.name}" appears twice in ${owner}`);
      names.add(w.name.toLowerCase());
      const id = claim(w.id ?? uuidFromName(`${ownerKind}-vm`, `${owner}/${w.name}`), `${at} ("${w.name}")`);
      vms.push({
        id,
        name: w.name,
        vmRef: w.vmRef ?? `urn:VMware:Vm:${srv.vcenterId}.vm-${vmIndex++}`,
        behaviour: behaviour(w, b, at),
        history: history(w.history, h, `${at}.history`),
        failedOver: w.failedOver ?? false,
      });
    });
    return vms;
  };

  const replicas: ReplicaM[] = [];
  const replicaNames = new Set<string>();
  (inventory.cdpReplicas ?? []).forEach((r, i) => {
    const where = `cdpReplicas[${i}]`;
    if (replicaNames.has(r.name.toLowerCase())) problems.push(`${where}: CDP replica "${r.name}" is declared twice`);
    replicaNames.add(r.name.toLowerCase());
    const srv = serverFor(r.backupServer, where);
    const b = behaviour(r.behaviour, rootBehaviour, `${where}.behaviour`);
    const h = history(r.history, rootHistory, `${where}.history`);
    const vms = vmsOf(r.vms, r.name, 'cdp', srv, b, h, where);
    const repoName = r.repository ?? 'Default Backup Repository';
    replicas.push({
      id: claim(r.id ?? uuidFromName('cdp-replica', r.name), `${where} ("${r.name}")`),
      name: r.name,
      policyId: (r.policyId ?? uuidFromName('cdp-policy', r.name)).toLowerCase(),
      server: srv,
      repository: { id: uuidFromName('repository', `${srv.name}/${repoName}`), name: repoName },
      vms,
      vmById: new Map(vms.map((v) => [v.id, v])),
    });
  });

  const vapps: VAppM[] = [];
  (inventory.vApps ?? []).forEach((a, i) => {
    const where = `vApps[${i}]`;
    if (vapps.some((v) => v.name.toLowerCase() === a.name.toLowerCase())) problems.push(`${where}: vApp "${a.name}" is declared twice`);
    const srv = serverFor(a.backupServer, where);
    const b = behaviour(a, rootBehaviour, where);
    const h = history(a.history, rootHistory, `${where}.history`);
    const vms = vmsOf(a.vms, a.name, 'vapp', srv, b, h, where);
    const policyName = a.policyName ?? 'CDP Policy Cloud Director';
    vapps.push({
      id: claim(a.id ?? uuidFromName('vapp-cdp-replica', a.name), `${where} ("${a.name}")`),
      name: a.name,
      vappRef: `urn:vCloud:Vapp:${srv.vcenterId}.urn:vcloud:vapp:${uuidFromName('vcloud-vapp', a.name)}`,
      policyId: (a.policyId ?? uuidFromName('cdp-policy', policyName)).toLowerCase(),
      policyName,
      server: srv,
      vms,
      vmById: new Map(vms.map((v) => [v.id, v])),
      behaviour: b,
      history: h,
      failedOver: a.failedOver ?? false,
    });
  });

  const plans: PlanM[] = (inventory.failoverPlans ?? []).map((p, i) => {
    const where = `failoverPlans[${i}]`;
    return {
      id: claim(p.id ?? uuidFromName('failover-plan', p.name), `${where} ("${p.name}")`),
      name: p.name,
      ...(p.description !== undefined ? { description: p.description } : {}),
      server: serverFor(p.backupServer, where),
      vms: [...p.vms],
      behaviour: behaviour(p, rootBehaviour, where),
      active: p.active ?? false,
    };
  });
  if (new Set(plans.map((p) => p.name.toLowerCase())).size !== plans.length) problems.push('failoverPlans: two plans share a name');

  const points: ReplicaPointM[] = (inventory.vmReplicaPoints ?? []).map((p, i) => {
    const where = `vmReplicaPoints[${i}]`;
    const createdAt = p.createdAt !== undefined ? Date.parse(p.createdAt) : now - 3_600_000;
    if (Number.isNaN(createdAt)) problems.push(`${where}.createdAt: not a datetime`);
    return {
      id: claim(p.id ?? uuidFromName('vm-replica-point', `${p.vm}@${i}`), `${where} ("${p.vm}")`),
      vm: p.vm,
      server: serverFor(p.backupServer, where),
      createdAt,
      behaviour: behaviour(p, rootBehaviour, where),
      failedOver: false,
    };
  });

  const users = new Map<string, UserM>();
  for (const u of inventory.users ?? []) users.set(u.name.toLowerCase(), { name: u.name, password: u.password, role: u.role });

  if (problems.length > 0) {
    throw new UsageError(`invalid inventory:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return {
    servers,
    replicas,
    replicaById: new Map(replicas.map((r) => [r.id, r])),
    vapps,
    vappById: new Map(vapps.map((a) => [a.id, a])),
    plans,
    planById: new Map(plans.map((p) => [p.id, p])),
    points,
    pointById: new Map(points.map((p) => [p.id, p])),
    users,
  };
}

function server(name: string, id?: string): ServerM {
  return { id: (id ?? uuidFromName('backup-server', name)).toLowerCase(), name, vcenterId: uuidFromName('vcenter', name) };
}

function stripHistory(defaults: Inventory['defaults']): Behaviour {
  if (!defaults) return {};
  const { history: _history, ...rest } = defaults;
  return rest;
}
