// CDP replica, CDP VM and vApp representations (API spec §6.1), in the fixtures' order:
// cdp-replica(s).xml, cdp-replica-vm(s).xml, cdp-replica-vm-ref.xml, vapp-cdp-*.xml,
// cdp-replica-intervals.xml.

import { emDate, leaf, link, links, type El } from './doc.js';
import type { IntervalsView } from './history.js';
import type { ReplicaM, ServerM, VAppM, VmM } from './model.js';

const serverRef = (api: string, s: ServerM) => link('Up', `${api}/backupServers/${s.id}`, 'BackupServerReference', s.name);

export function entityReferences(refs: El[]): El {
  return { name: 'EntityReferences', json: 'list', listKey: 'Refs', children: refs };
}

function ref(name: 'Ref' | 'EntityRef', type: string, href: string, label: string, uid: string, children: El[]): El {
  return { name, json: 'ref', attrs: { Type: type, Href: href, Name: label, UID: uid }, children: [links(children)] };
}

export function replicaRef(api: string, r: ReplicaM, root = false): El {
  const href = `${api}/cdpReplicas/${r.id}`;
  return ref(root ? 'EntityRef' : 'Ref', 'CdpReplicaReference', href, r.name, `urn:veeam:CdpReplica:${r.id}`, [
    serverRef(api, r.server),
    link('Alternate', `${href}?format=Entity`, 'CdpReplica', r.name),
  ]);
}

export function replicaEntity(api: string, r: ReplicaM, tag = 'CdpReplica'): El {
  const href = `${api}/cdpReplicas/${r.id}`;
  return {
    name: tag,
    json: 'resource',
    attrs: { Type: 'CdpReplica', Href: `${href}?format=Entity`, Name: r.name, UID: `urn:veeam:CdpReplica:${r.id}` },
    children: [
      links([
        serverRef(api, r.server),
        link('Down', `${href}/vms`, 'CdpReplicaVmReferenceList'),
        link('Up', `${api}/cdpPolicies/${r.policyId}`, 'CdpPolicyReference', r.name),
        link('Alternate', href, 'CdpReplicaReference', r.name),
      ]),
      leaf('BackupServer', r.server.name),
      leaf('PolicyUid', r.policyId),
      leaf('PolicyName', r.name),
    ],
  };
}

export function vmRef(api: string, r: ReplicaM, vm: VmM, root = false): El {
  const href = `${api}/cdpReplicas/${r.id}/vms/${vm.id}`;
  return ref(root ? 'EntityRef' : 'Ref', 'CdpReplicaVmReference', href, vm.name, `urn:veeam:CdpReplicaVm:${vm.id}`, [
    serverRef(api, r.server),
    link('Alternate', `${href}?format=Entity`, 'CdpReplicaVm', vm.name),
  ]);
}

/** §12 #9: emitted as `CdpReplicaVm`, as in the doc example. */
export function vmEntity(api: string, r: ReplicaM, vm: VmM, tag = 'CdpReplicaVm'): El {
  const href = `${api}/cdpReplicas/${r.id}/vms/${vm.id}`;
  return {
    name: tag,
    json: 'resource',
    attrs: { Type: 'CdpReplicaVm', Href: `${href}?format=Entity`, Name: vm.name, UID: `urn:veeam:CdpReplicaVm:${vm.id}` },
    children: [
      links([
        link('Intervals', `${href}?action=intervals`),
        link('Failover', `${href}?action=failover`),
        serverRef(api, r.server),
        link('Up', `${api}/repositories/${r.repository.id}`, 'RepositoryReference', r.repository.name),
        link('Up', `${api}/cdpReplicas/${r.id}`, 'CdpReplicaReference', r.name),
        link('Up', `${api}/cdpPolicies/${r.policyId}`, 'CdpPolicyReference', r.name),
      ]),
      leaf('VmRef', vm.vmRef),
      leaf('ReplicaUid', r.id),
      leaf('BackupServer', r.server.name),
      leaf('PolicyUid', r.policyId),
      leaf('PolicyName', r.name),
      leaf('RepositoryName', r.repository.name),
    ],
  };
}

export function vappRef(api: string, a: VAppM, root = false): El {
  const href = `${api}/cdpReplica/vApps/${a.id}`;
  return ref(root ? 'EntityRef' : 'Ref', 'VAppCdpReplicaReference', href, a.name, `urn:veeam:VAppCdpReplica:${a.id}`, [
    serverRef(api, a.server),
    link('Alternate', `${href}?format=Entity`, 'VAppCdpReplica', a.name),
  ]);
}

export function vappEntity(api: string, a: VAppM, tag = 'VAppCdpReplica'): El {
  const href = `${api}/cdpReplica/vApps/${a.id}`;
  return {
    name: tag,
    json: 'resource',
    attrs: { Type: 'VAppCdpReplica', Href: `${href}?format=Entity`, Name: a.name, UID: `urn:veeam:VAppCdpReplica:${a.id}` },
    children: [
      links([
        link('Up', `${api}/backupServers/${a.server.id}?format=Entity`, 'BackupServer', a.server.name),
        link('Alternate', href, 'VAppCdpReplicaReference', a.name),
        link('Down', `${href}/vms`, 'VAppCdpReplicaVmReferenceList'),
        link('Intervals', `${href}?action=intervals`),
        link('Failover', `${href}?action=failover`),
        link('Up', `${api}/cdpPolicies/${a.policyId}`, 'CdpPolicyReference', a.policyName),
      ]),
      leaf('vAppRef', a.vappRef),
      leaf('ReplicaUid', a.id),
      leaf('BackupServer', a.server.name),
      leaf('PolicyUid', a.policyId),
      leaf('PolicyName', a.policyName),
    ],
  };
}

export function vappVmRef(api: string, a: VAppM, vm: VmM, root = false): El {
  const href = `${api}/cdpReplica/vApps/${a.id}/vms/${vm.id}`;
  return ref(root ? 'EntityRef' : 'Ref', 'VAppCdpReplicaVmReference', href, vm.name, `urn:veeam:VAppCdpReplicaVm:${vm.id}`, [
    serverRef(api, a.server),
    link('Alternate', `${href}?format=Entity`, 'VAppCdpReplicaVm', vm.name),
  ]);
}

/** `tag` is `Items` inside VAppCdpReplicaVms (vapp-cdp-replica-vms.xml). */
export function vappVmEntity(api: string, a: VAppM, vm: VmM, tag = 'VAppCdpReplicaVm'): El {
  const href = `${api}/cdpReplica/vApps/${a.id}/vms/${vm.id}`;
  return {
    name: tag,
    json: 'resource',
    attrs: { Type: 'VAppCdpReplicaVm', Href: `${href}?format=Entity`, Name: vm.name, UID: `urn:veeam:VAppCdpReplicaVm:${vm.id}` },
    children: [
      links([
        serverRef(api, a.server),
        link('Alternate', `${href}?format=Reference`, 'VAppCdpReplicaVmReference', vm.name),
        link('Up', `${api}/cdpReplica/vApps/${a.id}`, 'VAppCdpReplicaReference', a.name),
        link('Up', `${api}/cdpPolicies/${a.policyId}`, 'CdpPolicyReference', a.policyName),
      ]),
      leaf('ReplicaUid', a.id),
      leaf('VmRef', vm.vmRef),
    ],
  };
}

export function intervalsEl(view: IntervalsView): El {
  return {
    name: 'CdpReplicaIntervals',
    json: 'info',
    children: [
      leaf('StartDate', emDate(view.start)),
      leaf('EndDate', emDate(view.end)),
      leaf('HasApplicationConsistentState', view.hasAppConsistent),
      {
        name: 'Intervals',
        json: 'array',
        children: view.intervals.map((i) => ({
          name: 'Interval',
          json: 'info' as const,
          children: [
            leaf('StartDate', emDate(i.start)),
            leaf('EndDate', emDate(i.end)),
            leaf('Rpo', i.rpoSeconds),
            leaf('IntervalType', 'RestoreAvailable'),
          ],
        })),
      },
      {
        name: 'RestorePoints',
        json: 'array',
        children: view.points.map((p) => ({
          name: 'RestorePoint',
          json: 'info' as const,
          children: [leaf('Id', p.id), leaf('Date', emDate(p.date)), leaf('IsApplicationConsistent', p.appConsistent)],
        })),
      },
    ],
  };
}
