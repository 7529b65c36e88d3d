// Builds the model from a (validated) inventory: ids derived from names where absent,
// servers created on first mention, every problem collected before one UsageError.

import { UsageError } from '../errors.js';
import { uuidFromName } from './ids.js';
import type { BehaviourN, HistoryN, Model, PlanM, ReplicaM, ReplicaPointM, ServerM, UserM, VAppM, VmM } from './model.js';
import { DEFAULT_BEHAVIOUR, DEFAULT_HISTORY, normalizer } from './normalize.js';
import type { Behaviour, Inventory, WrittenVm } from './types.js';

/** Builds the model; `now` anchors replica points without `createdAt`. Throws UsageError (exit 2) listing every problem. */
export function buildModel(inventory: Inventory, now: number): Model {
  const problems: string[] = [];
  const { behaviour, history } = normalizer(problems);

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
