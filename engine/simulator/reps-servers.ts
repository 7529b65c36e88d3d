// Backup server, repository and CDP policy representations: what the CDP, vApp and plan
// representations link to (`Up BackupServerReference`, `RepositoryReference`,
// `CdpPolicyReference`). Shapes: fixture backup-server-ref.json, the XSD's
// BackupServerEntityType and RepositoryEntityType, and the docs' CdpPolicy examples (their
// entity fields beyond the links are not in our sources, so none are invented).

import { leaf, link, links, type El } from './doc.js';
import type { Model, ReplicaM, ServerM, VAppM } from './model.js';

/** A repository as CDP VMs name it, with the backup server that holds it. */
export interface RepositoryM {
  id: string;
  name: string;
  server: ServerM;
}

/** A CDP policy: a CDP replica (or vApp CDP replica) is named after the policy that makes it. */
export interface PolicyM {
  id: string;
  name: string;
  server: ServerM;
}

export function repositoriesOf(model: Model): RepositoryM[] {
  const byId = new Map<string, RepositoryM>();
  for (const r of model.replicas) if (!byId.has(r.repository.id)) byId.set(r.repository.id, { ...r.repository, server: r.server });
  return [...byId.values()];
}

export function policiesOf(model: Model): PolicyM[] {
  const fromReplica = (r: ReplicaM): PolicyM => ({ id: r.policyId, name: r.name, server: r.server });
  const fromVapp = (a: VAppM): PolicyM => ({ id: a.policyId, name: a.policyName, server: a.server });
  const byId = new Map<string, PolicyM>();
  for (const p of [...model.replicas.map(fromReplica), ...model.vapps.map(fromVapp)]) if (!byId.has(p.id)) byId.set(p.id, p);
  return [...byId.values()];
}

function ref(root: boolean, type: string, href: string, name: string, uid: string, children: El[]): El {
  return {
    name: root ? 'EntityRef' : 'Ref',
    json: 'ref',
    attrs: { Type: type, Href: href, Name: name, UID: uid },
    children: [links(children)],
  };
}

function entity(tag: string, href: string, name: string, uid: string, children: El[]): El {
  return { name: tag, json: 'resource', attrs: { Type: tag, Href: `${href}?format=Entity`, Name: name, UID: uid }, children };
}

/** The Down links of a backup server, in the fixture's order around its Alternate link. */
function serverLinks(api: string, s: ServerM, alternate: El): El[] {
  const href = `${api}/backupServers/${s.id}`;
  return [
    link('Down', `${href}/jobs`, 'JobReferenceList'),
    link('Down', `${href}/repositories`, 'RepositoryReferenceList'),
    link('Down', `${href}/externalRepositories`, 'ExternalRepositoryReferenceList'),
    link('Down', `${href}/credentials`, 'CredentialsList'),
    link('Down', `${href}/passwords`, 'PasswordKeyList'),
    alternate,
    link('Down', `${href}/managedServers`, 'ManagedServerReferenceList'),
  ];
}

export function backupServerRef(api: string, s: ServerM, root = false): El {
  const href = `${api}/backupServers/${s.id}`;
  return ref(
    root,
    'BackupServerReference',
    href,
    s.name,
    `urn:veeam:BackupServer:${s.id}`,
    serverLinks(api, s, link('Alternate', `${href}?format=Entity`, 'BackupServer', s.name)),
  );
}

export function backupServerEntity(api: string, s: ServerM): El {
  const href = `${api}/backupServers/${s.id}`;
  return entity('BackupServer', href, s.name, `urn:veeam:BackupServer:${s.id}`, [
    links(serverLinks(api, s, link('Alternate', href, 'BackupServerReference', s.name))),
    leaf('Description', `Simulated backup server ${s.name}`),
    leaf('Port', 9392),
    leaf('Version', '12.3.0.310'),
  ]);
}

const upServer = (api: string, s: ServerM) => link('Up', `${api}/backupServers/${s.id}`, 'BackupServerReference', s.name);

export function repositoryRef(api: string, r: RepositoryM, root = false): El {
  const href = `${api}/repositories/${r.id}`;
  return ref(root, 'RepositoryReference', href, r.name, `urn:veeam:Repository:${r.id}`, [
    upServer(api, r.server),
    link('Alternate', `${href}?format=Entity`, 'Repository', r.name),
  ]);
}

/** Capacity and free space are not modelled: 0 says "unknown" rather than a made-up size. */
export function repositoryEntity(api: string, r: RepositoryM): El {
  const href = `${api}/repositories/${r.id}`;
  return entity('Repository', href, r.name, `urn:veeam:Repository:${r.id}`, [
    links([upServer(api, r.server), link('Alternate', href, 'RepositoryReference', r.name)]),
    leaf('Capacity', 0),
    leaf('FreeSpace', 0),
  ]);
}

export function policyRef(api: string, p: PolicyM, root = false): El {
  const href = `${api}/cdpPolicies/${p.id}`;
  return ref(root, 'CdpPolicyReference', href, p.name, `urn:veeam:CdpPolicy:${p.id}`, [
    upServer(api, p.server),
    link('Alternate', `${href}?format=Entity`, 'CdpPolicy', p.name),
  ]);
}

export function policyEntity(api: string, p: PolicyM): El {
  const href = `${api}/cdpPolicies/${p.id}`;
  return entity('CdpPolicy', href, p.name, `urn:veeam:CdpPolicy:${p.id}`, [
    links([
      upServer(api, p.server),
      link('Alternate', href, 'CdpPolicyReference', p.name),
      link('Down', `${href}/includes`, 'ObjectInJobList'),
      link('Down', `${href}/cdpReplicaSessions`, 'CdpReplicaSessionReferenceList'),
    ]),
  ]);
}
