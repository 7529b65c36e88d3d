// Representations of the session, error, task and restore-session resources, in the
// element order of the fixtures (em-fixtures/docs) and the XSD.

import { emDateZ, leaf, link, links, type El } from './doc.js';
import type { SessionM } from './sessions.js';
import { stateOf, type TaskM } from './tasks.js';
import type { ServerM } from './model.js';

export const VERSIONS = ['v1_5', 'v1_6', 'v1_7'] as const;

/** GET /api/. Real servers send no Href/Type on this root (fixture enterprise-manager.xml). */
export function enterpriseManager(api: string): El {
  return {
    name: 'EnterpriseManager',
    json: 'resource',
    children: [
      links([link('Down', `${api}/logonSessions`, 'LogonSessionList'), link('Create', `${api}/sessionMngr/?v=latest`, 'LogonSession')]),
      {
        name: 'SupportedVersions',
        json: 'list',
        children: VERSIONS.map((v) => ({
          name: 'SupportedVersion',
          json: 'info' as const,
          attrs: { Name: v },
          children: [links([link('Create', `${api}/sessionMngr/?v=${v}`, 'LogonSession')])],
        })),
      },
    ],
  };
}

// The Down links of logon-session.xml, in its order: [Type, path].
const SESSION_LINKS: Array<[string, string]> = [
  ['BackupServerReferenceList', '/backupServers'],
  ['ManagedServerReferenceList', '/managedServers'],
  ['JobReferenceList', '/jobs'],
  ['FailoverPlanReferenceList', '/failoverPlans'],
  ['HierarchyRootReferenceList', '/hierarchyRoots'],
  ['RepositoryReferenceList', '/repositories'],
  ['BackupReferenceList', '/backups'],
  ['RestorePointReferenceList', '/restorePoints'],
  ['VmRestorePointReferenceList', '/vmRestorePoints'],
  ['VAppRestorePointReferenceList', '/vAppRestorePoints'],
  ['ReplicaReferenceList', '/replicas'],
  ['VmReplicaPointReferenceList', '/vmReplicaPoints'],
  ['CatalogVmReferenceList', '/catalog/vms'],
  ['BackupJobSessionReferenceList', '/backupSessions'],
  ['RestoreSessionReferenceList', '/restoreSessions'],
  ['ReplicaJobSessionReferenceList', '/replicaSessions'],
  ['BackupTaskSessionReferenceList', '/backupTaskSessions'],
  ['ReplicaTaskSessionReferenceList', '/replicaTaskSessions'],
  ['EnterpriseSecuritySettings', '/security'],
  ['WanAcceleratorReferenceList', '/wanAccelerators'],
  ['BackupFileReferenceList', '/backupFiles'],
  ['ExternalRepositoryReferenceList', '/externalRepositories'],
  ['TaskList', '/tasks'],
  ['QueryService', '/querySvc'],
  ['LookupService', '/lookupSvc'],
];
const ENTITY_LISTS: Array<[string, string]> = [
  ['BackupServerList', '/backupServers'],
  ['ManagedServerList', '/managedServers'],
  ['JobList', '/jobs'],
  ['FailoverPlanList', '/failoverPlans'],
  ['HierarchyRootList', '/hierarchyRoots'],
  ['RepositoryList', '/repositories'],
  ['BackupList', '/backups'],
  ['RestorePointList', '/restorePoints'],
  ['VmRestorePointList', '/vmRestorePoints'],
  ['VAppRestorePointList', '/vAppRestorePoints'],
  ['ReplicaList', '/replicas'],
  ['VmReplicaPointList', '/vmReplicaPoints'],
  ['CatalogVmList', '/catalog/vms'],
  ['BackupJobSessionList', '/backupSessions'],
  ['RestoreSessionList', '/restoreSessions'],
  ['ReplicaJobSessionList', '/replicaSessions'],
  ['BackupTaskSessionList', '/backupTaskSessions'],
  ['ReplicaTaskSessionList', '/replicaTaskSessions'],
  ['WanAcceleratorList', '/wanAccelerators'],
];

export function logonSession(api: string, session: SessionM): El {
  const href = `${api}/logonSessions/${session.id}`;
  return {
    name: 'LogonSession',
    json: 'resource',
    attrs: { Type: 'LogonSession', Href: href },
    children: [
      links([
        link('Up', `${api}/`, 'EnterpriseManager'),
        ...SESSION_LINKS.map(([type, path]) => link('Down', `${api}${path}`, type)),
        link('Down', `${api}/reports/summary`, 'Report', 'Summary'),
        ...ENTITY_LISTS.slice(0, 2).map(([type, path]) => link('Down', `${api}${path}?format=Entity`, type)),
        link('Create', `${api}/backupServers?action=create`),
        ...ENTITY_LISTS.slice(2).map(([type, path]) => link('Down', `${api}${path}?format=Entity`, type)),
        link('Down', `${api}/vCloud`, 'VCloudService'),
        link('Down', `${api}/backupFiles?format=Entity`, 'BackupFileList'),
        link('Down', `${api}/agents`, 'AgentsService'),
        link('Down', `${api}/selfService/vSphere`, 'VSphereSelfService'),
        link('Down', `${api}/externalRepositories?format=Entity`, 'ExternalRepositoryList'),
        link('Down', `${api}/nas`, 'NasService'),
        link('Delete', href),
      ]),
      leaf('UserName', session.user.name),
      leaf('SessionId', session.id),
    ],
  };
}

export function logonSessions(api: string, sessions: SessionM[]): El {
  return { name: 'LogonSessions', json: 'list', children: sessions.map((s) => logonSession(api, s)) };
}

/** `Error` (§3): XML omits the never-filled Status; JSON carries all five keys with nulls. */
export function errorEl(status: number, message: string): El {
  return {
    name: 'Error',
    attrs: { Message: message, StatusCode: status },
    children: [leaf('FirstChanceExceptionMessage', message)],
    jsonValue: { FirstChanceExceptionMessage: null, Message: message, StackTrace: null, Status: null, StatusCode: status },
  };
}

export function taskEl(api: string, task: TaskM, now: number): El {
  const href = `${api}/tasks/${task.id}`;
  const state = stateOf(task, now);
  const linkList = [link('Delete', href, 'Task')];
  let result: El | undefined;
  if (task.outcome) {
    const o = task.outcome;
    if (state === 'Finished' && o.restoreSessionId) {
      linkList.push(link('Related', `${api}/restoreSessions/${o.restoreSessionId}?format=Entity`, 'RestoreSession'));
    }
    const message = state === 'OperationFinished' && o.success ? 'OperationFinished' : o.message;
    result = { name: 'Result', json: 'info', attrs: { Success: o.success }, children: [leaf('Message', message)] };
  }
  return {
    name: 'Task',
    json: 'resource',
    attrs: { Type: 'Task', Href: href },
    children: [
      links(linkList),
      leaf('TaskId', task.id),
      leaf('State', state),
      leaf('Operation', task.operation),
      ...(result ? [result] : []),
    ],
  };
}

export function tasksEl(api: string, tasks: TaskM[], now: number): El {
  return { name: 'Tasks', json: 'list', children: tasks.map((t) => taskEl(api, t, now)) };
}

export interface RestoreSessionM {
  id: string;
  name: string;
  vmName: string;
  server: ServerM;
  createdAt: number;
  /** When it ended (Infinity while the operation runs: Working, no Result). */
  endAt: number;
  result?: 'Success' | 'Failed';
}

export function restoreSessionEl(api: string, rs: RestoreSessionM, entity: boolean, now: number): El {
  const ended = now >= rs.endAt && rs.result !== undefined;
  const href = `${api}/restoreSessions/${rs.id}`;
  const uid = `urn:veeam:RestoreSession:${rs.id}`;
  const serverLink = link('Up', `${api}/backupServers/${rs.server.id}`, 'BackupServerReference', rs.server.name);
  if (!entity) {
    return {
      name: 'EntityRef',
      json: 'ref',
      attrs: { Type: 'RestoreSessionReference', Href: href, Name: rs.name, UID: uid },
      children: [links([serverLink, link('Alternate', `${href}?format=Entity`, 'RestoreSession', rs.name)])],
    };
  }
  return {
    name: 'RestoreSession',
    json: 'resource',
    attrs: { Type: 'RestoreSession', Href: `${href}?format=Entity`, Name: rs.name, UID: uid, VmDisplayName: rs.vmName },
    children: [
      links([serverLink, link('Alternate', href, 'RestoreSessionReference', rs.name)]),
      leaf('JobType', 'RestoreVm'),
      leaf('CreationTimeUTC', emDateZ(rs.createdAt)),
      ...(ended ? [leaf('EndTimeUTC', emDateZ(rs.endAt))] : []),
      leaf('State', ended ? 'Stopped' : 'Working'),
      ...(ended && rs.result ? [leaf('Result', rs.result)] : []),
      leaf('Progress', ended ? 100 : 50),
    ],
  };
}
