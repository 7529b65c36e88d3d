// Builds the model from a (validated) inventory: ids derived from names where absent,
// servers created on first mention, every problem collected before one UsageError.

import { UsageError } from '../errors.js';
import { uuidFromName } from './ids.js';
import type { BehaviourN, HistoryN, Model, PlanM, ReplicaM, ReplicaPointM, ServerM, UserM, VAppM, VmM } from './model.js';
import { DEFAULT_BEHAVIOUR, DEFAULT_HISTORY, normalizer, type Normalizer } from './normalize.js';
import type { Behaviour, Inventory, WrittenVm } from './types.js';

/** Builds the model; `now` anchors replica points without `createdAt`. Throws UsageError (exit 2) listing every problem. */
export function buildModel(inventory: Inventory, now: number): Model {
  const b = new Builder(inventory);
  // Order matters: ids are claimed, servers created and vmRefs numbered in this order.
  const replicas = b.replicas();
  const vapps = b.vapps();
  const plans = b.plans();
  const points = b.points(now);
  const users = new Map<string, UserM>();
  for (const u of inventory.users ?? []) users.set(u.name.toLowerCase(), { name: u.name, password: u.password, role: u.role });

  if (b.problems.length > 0) {
    throw new UsageError(`invalid inventory:\n${b.problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return {
    servers: b.servers,
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

/** What the parts of one build share: the problems found, the ids claimed, the servers met so far. */
class Builder {
  readonly problems: string[] = [];
  readonly servers: ServerM[];
  private readonly serverByName: Map<string, ServerM>;
  private readonly ids = new Map<string, string>();
  private readonly behaviour: Normalizer['behaviour'];
  private readonly history: Normalizer['history'];
  private readonly rootBehaviour: BehaviourN;
  private readonly rootHistory: HistoryN;
  private vmIndex = 100;

  constructor(private readonly inventory: Inventory) {
    const normalize = normalizer(this.problems);
    this.behaviour = normalize.behaviour;
    this.history = normalize.history;
    const defaults = inventory.defaults;
    const rootDefaults = { durationMs: 3000, neverFinish: false, operationFinishedMs: 0 };
    this.rootBehaviour = this.behaviour({ ...DEFAULT_BEHAVIOUR, ...stripHistory(defaults) }, rootDefaults, 'defaults');
    const historyDefaults = { lagMs: 15_000, appEveryMs: 3_600_000, historyMs: 86_400_000 };
    this.rootHistory = this.history({ ...DEFAULT_HISTORY, ...defaults?.history }, historyDefaults, 'defaults.history');
    this.servers = (inventory.backupServers ?? []).map((s) => server(s.name, s.id));
    this.serverByName = new Map(this.servers.map((s) => [s.name.toLowerCase(), s]));
  }

  /** The named backup server, created on first mention; none named: the first one (created if need be). */
  private serverFor(name: string | undefined, where: string): ServerM {
    if (name === undefined) {
      if (this.servers.length === 0) this.servers.push(server('vbr01.lab.local'));
      return this.servers[0] as ServerM;
    }
    const found = this.serverByName.get(name.toLowerCase());
    if (found) return found;
    if ((this.inventory.backupServers ?? []).length > 0) this.problems.push(`${where}.backupServer: "${name}" is not in backupServers`);
    const created = server(name);
    this.servers.push(created);
    this.serverByName.set(name.toLowerCase(), created);
    return created;
  }

  /** Ids are unique across every kind of object (EM's ids are GUIDs). */
  private claim(id: string, what: string): string {
    const key = id.toLowerCase();
    const previous = this.ids.get(key);
    if (previous) this.problems.push(`${what}: id ${id} is already used by ${previous}`);
    else this.ids.set(key, what);
    return key;
  }

  private vmsOf(
    list: Array<WrittenVm | string>,
    owner: string,
    ownerKind: string,
    srv: ServerM,
    b: BehaviourN,
    h: HistoryN,
    where: string,
  ) {
    const vms: VmM[] = [];
    const names = new Set<string>();
    list.forEach((entry, i) => {
      const w: WrittenVm = typeof entry === 'string' ? { name: entry } : entry;
      const at = `${where}.vms[${i}]`;
      if (names.has(w.name.toLowerCase())) this.problems.push(`${at}: VM "${w.name}" appears twice in ${owner}`);
      names.add(w.name.toLowerCase());
      const id = this.claim(w.id ?? uuidFromName(`${ownerKind}-vm`, `${owner}/${w.name}`), `${at} ("${w.name}")`);
      vms.push({
        id,
        name: w.name,
        vmRef: w.vmRef ?? `urn:VMware:Vm:${srv.vcenterId}.vm-${this.vmIndex++}`,
        behaviour: this.behaviour(w, b, at),
        history: this.history(w.history, h, `${at}.history`),
        failedOver: w.failedOver ?? false,
      });
    });
    return vms;
  }

  replicas(): ReplicaM[] {
    const replicas: ReplicaM[] = [];
    const replicaNames = new Set<string>();
    (this.inventory.cdpReplicas ?? []).forEach((r, i) => {
      const where = `cdpReplicas[${i}]`;
      if (replicaNames.has(r.name.toLowerCase())) this.problems.push(`${where}: CDP replica "${r.name}" is declared twice`);
      replicaNames.add(r.name.toLowerCase());
      const srv = this.serverFor(r.backupServer, where);
      const b = this.behaviour(r.behaviour, this.rootBehaviour, `${where}.behaviour`);
      const h = this.history(r.history, this.rootHistory, `${where}.history`);
      const vms = this.vmsOf(r.vms, r.name, 'cdp', srv, b, h, where);
      const repoName = r.repository ?? 'Default Backup Repository';
      replicas.push({
        id: this.claim(r.id ?? uuidFromName('cdp-replica', r.name), `${where} ("${r.name}")`),
        name: r.name,
        policyId: (r.policyId ?? uuidFromName('cdp-policy', r.name)).toLowerCase(),
        server: srv,
        repository: { id: uuidFromName('repository', `${srv.name}/${repoName}`), name: repoName },
        vms,
        vmById: new Map(vms.map((v) => [v.id, v])),
      });
    });
    return replicas;
  }

  vapps(): VAppM[] {
    const vapps: VAppM[] = [];
    (this.inventory.vApps ?? []).forEach((a, i) => {
      const where = `vApps[${i}]`;
      if (vapps.some((v) => v.name.toLowerCase() === a.name.toLowerCase()))
        this.problems.push(`${where}: vApp "${a.name}" is declared twice`);
      const srv = this.serverFor(a.backupServer, where);
      const b = this.behaviour(a, this.rootBehaviour, where);
      const h = this.history(a.history, this.rootHistory, `${where}.history`);
      const vms = this.vmsOf(a.vms, a.name, 'vapp', srv, b, h, where);
      const policyName = a.policyName ?? 'CDP Policy Cloud Director';
      vapps.push({
        id: this.claim(a.id ?? uuidFromName('vapp-cdp-replica', a.name), `${where} ("${a.name}")`),
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
    return vapps;
  }

  plans(): PlanM[] {
    const plans: PlanM[] = (this.inventory.failoverPlans ?? []).map((p, i) => {
      const where = `failoverPlans[${i}]`;
      return {
        id: this.claim(p.id ?? uuidFromName('failover-plan', p.name), `${where} ("${p.name}")`),
        name: p.name,
        ...(p.description !== undefined ? { description: p.description } : {}),
        server: this.serverFor(p.backupServer, where),
        vms: [...p.vms],
        behaviour: this.behaviour(p, this.rootBehaviour, where),
        active: p.active ?? false,
      };
    });
    if (new Set(plans.map((p) => p.name.toLowerCase())).size !== plans.length) this.problems.push('failoverPlans: two plans share a name');
    return plans;
  }

  points(now: number): ReplicaPointM[] {
    return (this.inventory.vmReplicaPoints ?? []).map((p, i) => {
      const where = `vmReplicaPoints[${i}]`;
      const createdAt = p.createdAt !== undefined ? Date.parse(p.createdAt) : now - 3_600_000;
      if (Number.isNaN(createdAt)) this.problems.push(`${where}.createdAt: not a datetime`);
      return {
        id: this.claim(p.id ?? uuidFromName('vm-replica-point', `${p.vm}@${i}`), `${where} ("${p.vm}")`),
        vm: p.vm,
        server: this.serverFor(p.backupServer, where),
        createdAt,
        behaviour: this.behaviour(p, this.rootBehaviour, where),
        failedOver: false,
      };
    });
  }
}

function server(name: string, id?: string): ServerM {
  return { id: (id ?? uuidFromName('backup-server', name)).toLowerCase(), name, vcenterId: uuidFromName('vcenter', name) };
}

function stripHistory(defaults: Inventory['defaults']): Behaviour {
  if (!defaults) return {};
  const { history: _history, ...rest } = defaults;
  return rest;
}
