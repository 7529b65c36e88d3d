// Failover plan and VM replica point representations (API spec §8; XSD FailoverPlanEntityType).

import { emDateZ, leaf, link, links, type El } from './doc.js';
import type { PlanM, ReplicaPointM } from './model.js';
import { uuidFromName } from './ids.js';

export function planRef(api: string, p: PlanM, root = false): El {
  const href = `${api}/failoverPlans/${p.id}`;
  return {
    name: root ? 'EntityRef' : 'Ref',
    json: 'ref',
    attrs: { Type: 'FailoverPlanReference', Href: href, Name: p.name, UID: `urn:veeam:FailoverPlan:${p.id}` },
    children: [
      links([
        link('Up', `${api}/backupServers/${p.server.id}`, 'BackupServerReference', p.server.name),
        link('Alternate', `${href}?format=Entity`, 'FailoverPlan', p.name),
      ]),
    ],
  };
}

export function planEntity(api: string, p: PlanM): El {
  const href = `${api}/failoverPlans/${p.id}`;
  return {
    name: 'FailoverPlan',
    json: 'resource',
    attrs: { Type: 'FailoverPlan', Href: `${href}?format=Entity`, Name: p.name, UID: `urn:veeam:FailoverPlan:${p.id}` },
    children: [
      links([
        link('Up', `${api}/backupServers/${p.server.id}`, 'BackupServerReference', p.server.name),
        link('Alternate', href, 'FailoverPlanReference', p.name),
        link('Edit', href, 'FailoverPlan'),
        link('Start', `${href}?action=start`),
        link('Undo', `${href}?action=undo`),
      ]),
      ...(p.description !== undefined ? [leaf('Description', p.description)] : []),
      {
        name: 'FailoverPlanInfo',
        json: 'info',
        children: [
          {
            name: 'Includes',
            json: 'list',
            listKey: 'FailoveredVms',
            children: p.vms.map((vm, i) => ({
              name: 'FailoveredVm',
              json: 'info' as const,
              children: [
                leaf('FailoveredVmId', uuidFromName('failovered-vm', `${p.id}/${vm}`)),
                leaf('HierarchyObjRef', `urn:VMware:Vm:${p.server.vcenterId}.vm-${1000 + i}`),
                leaf('Name', vm),
                leaf('DisplayName', vm),
                leaf('Order', i + 1),
              ],
            })),
          },
        ],
      },
    ],
  };
}

export function pointName(p: ReplicaPointM): string {
  return `${p.vm}@${emDateZ(p.createdAt).slice(0, 19).replace('T', ' ')}`;
}

export function pointRef(api: string, p: ReplicaPointM, root = false): El {
  const href = `${api}/vmReplicaPoints/${p.id}`;
  const name = pointName(p);
  return {
    name: root ? 'EntityRef' : 'Ref',
    json: 'ref',
    attrs: { Type: 'VmReplicaPointReference', Href: href, Name: name, UID: `urn:veeam:VmReplicaPoint:${p.id}` },
    children: [
      links([
        link('Failover', `${href}?action=failover`),
        link('Up', `${api}/backupServers/${p.server.id}`, 'BackupServerReference', p.server.name),
        link('Alternate', `${href}?format=Entity`, 'VmReplicaPoint', name),
      ]),
    ],
  };
}
