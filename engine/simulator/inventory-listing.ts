// The names a simulator serves, as `runbook sim` prints them at start: a playbook rehearsed
// against it must use exactly these (a real EM has its own; `runbook plan` against it shows them).

import type { Inventory, WrittenVm } from './types.js';

// JSON quoting keeps control characters in an inventory file's names off the terminal.
const q = (name: string) => JSON.stringify(name);
const vmName = (vm: WrittenVm | string) => q(typeof vm === 'string' ? vm : vm.name);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One line: `3 CDP replicas (9 VMs), 1 vApp, 1 failover plan`. */
export function inventoryCounts(inventory: Inventory): string {
  const replicas = inventory.cdpReplicas ?? [];
  const vms = replicas.reduce((n, r) => n + r.vms.length, 0);
  const parts = [`${plural(replicas.length, 'CDP replica')} (${plural(vms, 'VM')})`];
  parts.push(plural((inventory.vApps ?? []).length, 'vApp'), plural((inventory.failoverPlans ?? []).length, 'failover plan'));
  if ((inventory.faults ?? []).length > 0) parts.push(plural((inventory.faults ?? []).length, 'fault'));
  return parts.join(', ');
}

/** Every name a playbook can refer to, one item a line, indented by `pad`. */
export function inventoryLines(inventory: Inventory, pad = '    '): string[] {
  const out: string[] = [];
  for (const r of inventory.cdpReplicas ?? []) out.push(`${pad}CDP replica ${q(r.name)}: ${r.vms.map(vmName).join(', ')}`);
  for (const v of inventory.vApps ?? []) out.push(`${pad}vApp ${q(v.name)}: ${v.vms.map(vmName).join(', ')}`);
  for (const p of inventory.failoverPlans ?? []) out.push(`${pad}failover plan ${q(p.name)}: ${p.vms.map(q).join(', ')}`);
  for (const p of inventory.vmReplicaPoints ?? []) out.push(`${pad}replica point of VM ${q(p.vm)}`);
  return out;
}
