// What the logon session links to beyond CDP: the service entry points (query, lookup,
// security, reports, vCloud, agents, self-service, NAS) as bare resources, and every
// collection the simulator's model does not hold, answered as an empty, schema-valid list
// (EntityReferences with no Ref; with ?format=Entity the typed list root of the XSD).

import { link, links, type El } from './doc.js';

/** [path under /api, the XSD root of its ?format=Entity list]. Reference form: EntityReferences. */
export const EMPTY_COLLECTIONS: Array<[string, string]> = [
  ['/managedServers', 'ManagedServers'],
  ['/jobs', 'Jobs'],
  ['/hierarchyRoots', 'HierarchyRoots'],
  ['/backups', 'Backups'],
  ['/restorePoints', 'RestorePoints'],
  ['/vmRestorePoints', 'VmRestorePoints'],
  ['/vAppRestorePoints', 'VAppRestorePoints'],
  ['/replicas', 'Replicas'],
  ['/catalog/vms', 'CatalogVms'],
  ['/backupSessions', 'BackupJobSessions'],
  ['/replicaSessions', 'ReplicaJobSessions'],
  ['/backupTaskSessions', 'BackupTaskSessions'],
  ['/replicaTaskSessions', 'ReplicaTaskSessions'],
  ['/wanAccelerators', 'WanAccelerators'],
  ['/backupFiles', 'BackupFiles'],
  ['/externalRepositories', 'ExternalRepositories'],
  ['/vAppReplicaPoints', 'VAppReplicaPoints'],
  ['/cdpReplicaSessions', 'CdpReplicaSessions'],
  ['/cdpReplicaTaskSessions', 'CdpReplicaTaskSessions'],
];

/** Sub-collections of a backup server (fixture backup-server-ref.json) the model does not hold. */
export const SERVER_EMPTY: Array<[string, string]> = [
  ['jobs', 'Jobs'],
  ['externalRepositories', 'ExternalRepositories'],
  ['managedServers', 'ManagedServers'],
];

/** Lists of info items (not entities): one form only, the XSD's list root. */
export const SERVER_INFO_LISTS: Array<[string, string]> = [
  ['credentials', 'CredentialsInfoList'],
  ['passwords', 'PasswordKeyInfoList'],
];

/** [path, root element] of the service entry points the logon session links to. */
export const SERVICES: Array<[string, string]> = [
  ['/querySvc', 'QuerySvc'],
  ['/lookupSvc', 'LookupSvc'],
  ['/security', 'EnterpriseSecuritySettings'],
  ['/reports/summary', 'SummaryReport'],
  ['/vCloud', 'VCloudService'],
  ['/agents', 'AgentsService'],
  ['/selfService/vSphere', 'VSphereSelfService'],
  ['/nas', 'NasService'],
];

export function emptyList(root: string): El {
  return { name: root, json: 'list', children: [] };
}

/** A service entry point (XSD ResourceType: Href, Type, Links): up to the entry point. */
export function serviceEl(api: string, path: string, root: string): El {
  return {
    name: root,
    json: 'resource',
    attrs: { Href: `${api}${path}`, Type: root },
    children: [links([link('Up', `${api}/`, 'EnterpriseManager')])],
  };
}
