// Names → IDs: the resolver's reads against Enterprise Manager (replicas, their VMs, vApps,
// failover plans, restore-point coverage). Each replica and VM list is read once per plan;
// every miss is pushed to the resolver's problems, so one `plan` shows them all.

import type { CdpReplica, EmClient } from '../api/types.js';
import { EmHttpError } from '../errors.js';
import { coverageProblem } from './coverage.js';
import type { TargetRef } from './types.js';

/** Binds a template for `where`, recording a problem (and returning the template) on failure. */
export type BindAt = (template: string, where: string) => string;

export class TargetLookup {
  private readonly replicas = new Map<string, Promise<CdpReplica | undefined>>();
  private readonly vmLists = new Map<string, Promise<{ id: string; name: string }[]>>();

  constructor(
    private readonly client: EmClient,
    private readonly problems: string[],
    private readonly bind: BindAt,
    private readonly signal?: AbortSignal,
  ) {}

  /** The VMs a step names in a CDP replica (`all`: every VM it lists), each by exactly one match. */
  async vms(where: string, replicaTemplate: string, vms: string[] | 'all') {
    const name = this.bind(replicaTemplate, where);
    const replica = await this.read(where, () => this.replica(name));
    if (!replica) {
      if (!this.problems.some((p) => p.startsWith(`${where}:`) && p.includes(name))) {
        this.problems.push(`${where}: CDP replica "${name}" not found in Enterprise Manager`);
      }
      return { replica: { name, id: '' }, vms: [] as TargetRef[] };
    }
    const listed = (await this.read(where, () => this.vmList(replica.id))) ?? [];
    const out: TargetRef[] = [];
    const wanted = vms === 'all' ? listed.map((v) => v.name) : vms.map((v) => this.bind(v, where));
    if (vms === 'all' && listed.length === 0) this.problems.push(`${where}: CDP replica "${replica.name}" has no VMs`);
    // Indexed once: a step may name thousands of VMs of a replica listing thousands.
    const byName = groupBy(listed, (v) => v.name);
    const byId = groupBy(listed, (v) => v.id);
    for (const want of wanted) {
      const match = byName.get(want) ?? byId.get(want) ?? [];
      if (match.length === 0) {
        this.problems.push(`${where}: VM "${want}" not found in CDP replica "${replica.name}"`);
      } else if (match.length > 1) {
        this.problems.push(`${where}: VM name "${want}" is ambiguous in CDP replica "${replica.name}" (${match.length} VMs): use its id`);
      } else {
        const vm = match[0]!;
        out.push({ name: want, id: vm.id, replicaId: replica.id, replicaName: replica.name });
      }
    }
    return { replica: { name: replica.name, id: replica.id }, vms: out };
  }

  async vapp(where: string, template: string): Promise<TargetRef> {
    const name = this.bind(template, where);
    const vapp = await this.read(where, () => this.client.findVappCdpReplica(name, this.opts()));
    if (!vapp) {
      this.problems.push(`${where}: vApp CDP replica "${name}" not found in Enterprise Manager`);
      return { name, id: '', replicaId: '', replicaName: name };
    }
    return { name, id: vapp.id, replicaId: vapp.id, replicaName: vapp.name };
  }

  async failoverPlan(where: string, template: string): Promise<{ name: string; id: string }> {
    const name = this.bind(template, where);
    const plan = await this.read(where, () => this.client.findFailoverPlan(name, this.opts()));
    if (!plan) {
      this.problems.push(`${where}: failover plan "${name}" not found in Enterprise Manager`);
      return { name, id: '' };
    }
    return { name: plan.name, id: plan.id };
  }

  /** A point in time outside a VM's history fails in preflight, not mid-run. */
  vmCovered(where: string, at: string, vm: TargetRef): Promise<void> {
    return this.covered(where, at, `VM "${vm.name}"`, (start, end) =>
      this.client.cdpIntervals(vm.replicaId, vm.id, start, end, this.opts()),
    );
  }

  /** As vmCovered, for a vApp. */
  vappCovered(where: string, at: string, vapp: TargetRef): Promise<void> {
    return this.covered(where, at, `vApp "${vapp.name}"`, (start, end) => this.client.vappIntervals(vapp.id, start, end, this.opts()));
  }

  private async covered(where: string, at: string, label: string, read: Parameters<typeof coverageProblem>[2]): Promise<void> {
    const problem = await this.read(`${where}: ${label}`, () => coverageProblem(label, at, read));
    if (problem !== undefined) this.problems.push(`${where}: ${problem}`);
  }

  /** A read that may fail: 403/404 become problems; connection and auth errors end the plan. */
  private async read<T>(where: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof EmHttpError) {
        const why = error.status === 403 ? 'permission denied (the account needs the Portal Administrator role)' : error.message;
        this.problems.push(`${where}: ${why}`);
        return undefined;
      }
      throw error;
    }
  }

  private replica(name: string): Promise<CdpReplica | undefined> {
    let p = this.replicas.get(name);
    if (!p) {
      p = this.client.findCdpReplica(name, this.opts());
      this.replicas.set(name, p);
    }
    return p;
  }

  private vmList(replicaId: string): Promise<{ id: string; name: string }[]> {
    let p = this.vmLists.get(replicaId);
    if (!p) {
      p = this.client.listCdpReplicaVms(replicaId, this.opts());
      this.vmLists.set(replicaId, p);
    }
    return p;
  }

  private opts() {
    return this.signal ? { signal: this.signal } : {};
  }
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = out.get(k);
    if (group) group.push(item);
    else out.set(k, [item]);
  }
  return out;
}
