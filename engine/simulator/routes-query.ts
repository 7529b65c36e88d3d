// GET /query (API spec §6.6, §5.2): type=CdpReplica (refs or entities) and type=Task
// (this session's tasks, as Resources), with `filter` (Key==value / Key!=value joined by
// `;`), paging, and the QueryResult shape of the real JSON (every slot present, null).

import { HttpError, respond, type Ctx } from './context.js';
import { link, links, type El } from './doc.js';
import { toJson } from './json-render.js';
import type { ReplicaM } from './model.js';
import { replicaEntity, replicaRef } from './reps-cdp.js';
import { taskEl } from './reps-core.js';
import { stateOf, type TaskM } from './tasks.js';
import { ADMIN_ONLY, type Route, type World } from './world.js';
import type { Reply } from './reply.js';

/** The Entities slots of a real server's JSON QueryResult (centreon fixture), in its order. */
const ENTITY_SLOTS = [
  'Jobs',
  'FailoverPlans',
  'Backups',
  'Replicas',
  'Repositories',
  'RestorePoints',
  'VmRestorePoints',
  'VAppRestorePoints',
  'VmReplicaPoints',
  'BackupJobSessions',
  'ReplicaJobSessions',
  'ReplicaTaskSessions',
  'RestoreSessions',
  'HierarchyRoots',
  'BackupTaskSessions',
  'BackupServers',
  'ManagedServers',
  'EnterpiseRoles',
  'EnterpiseAccounts',
  'WanAccelerators',
  'CloudGateways',
  'CloudTenants',
  'CloudReplicas',
  'VCloudOrganizationConfigs',
  'BackupFiles',
  'VSphereSelfServiceConfigs',
  'CloudPublicIps',
  'CloudHardwarePlans',
  'CloudVmReplicaPoints',
  'AgentRestorePoints',
  'AgentBackupJob',
  'CloudGatewayPools',
  'CloudFailoverPlans',
  'ExternalRepositories',
  'VlanConfigurations',
  'CloudFailoverSessions',
  'AgentProtectionGroups',
  'DiscoveredComputers',
  'FileServers',
  'NASJobs',
  'CdpReplicas',
  'CdpReplicaVms',
  'CdpPolicies',
  'CdpReplicaSessions',
  'CdpReplicaTaskSessions',
  'VAppReplicaPoints',
  'VmCdpReplicas',
  'VAppCdpReplicas',
  'VAppCdpReplicaVms',
  'SystemSessions',
];
/** ResourcesType's choices (XSD), in order. */
const RESOURCE_SLOTS = [
  'Files',
  'Directories',
  'Tasks',
  'CredentialsList',
  'sInObjectJob',
  'AccountRole',
  'AccountHierarchyScope',
  'PasswordKeyInfoList',
];

type Getter<T> = (item: T, ctx: Ctx) => string;
const REPLICA_KEYS: Record<string, Getter<ReplicaM>> = {
  uid: (r) => `urn:veeam:CdpReplica:${r.id}`,
  name: (r) => r.name,
  policyid: (r) => r.policyId,
  policyname: (r) => r.name,
  backupserveruid: (r) => `urn:veeam:BackupServer:${r.server.id}`,
  backupservername: (r) => r.server.name,
};
const TASK_KEYS: Record<string, Getter<TaskM>> = {
  taskid: (t) => t.id,
  state: (t, ctx) => stateOf(t, ctx.now),
  operation: (t) => t.operation,
};

function applyFilter<T>(items: T[], filter: string | null, keys: Record<string, Getter<T>>, ctx: Ctx): T[] {
  if (!filter) return items;
  const clauses = filter.split(';').map((clause) => {
    const m = /^\s*([A-Za-z]+)\s*(==|!=)\s*(.*?)\s*$/.exec(clause);
    if (!m) throw new HttpError(400, `Cannot parse filter "${clause}" (expected Key==value or Key!=value, joined by ;).`);
    const get = keys[(m[1] ?? '').toLowerCase()];
    if (!get) throw new HttpError(400, `Unknown filter key "${m[1]}"; allowed: ${Object.keys(keys).join(', ')} (case-insensitive).`);
    const value = (m[3] ?? '').replace(/^"(.*)"$/, '$1').toLowerCase();
    return (item: T) => (get(item, ctx).toLowerCase() === value) === (m[2] === '==');
  });
  return items.filter((item) => clauses.every((c) => c(item)));
}

function paging(ctx: Ctx, total: number): { items: [number, number]; el: El } {
  const size = Number(ctx.params.get('pageSize') ?? 100);
  const page = Number(ctx.params.get('page') ?? 1);
  if (!Number.isInteger(size) || size < 1 || !Number.isInteger(page) || page < 1)
    throw new HttpError(400, 'page and pageSize must be positive integers.');
  const pages = Math.max(1, Math.ceil(total / size));
  const hrefFor = (n: number) => {
    const p = new URLSearchParams(ctx.params);
    p.set('pageSize', String(size));
    p.set('page', String(n));
    return `${ctx.api}/query?${p.toString()}`;
  };
  const list = [link('First', hrefFor(1)), link('Last', hrefFor(pages))];
  if (page < pages) list.push(link('Next', hrefFor(page + 1)));
  if (page > 1) list.push(link('Previous', hrefFor(Math.min(page - 1, pages))));
  return {
    items: [(page - 1) * size, page * size],
    el: { name: 'PagingInfo', json: 'info', attrs: { PageNum: page, PageSize: size, PagesCount: pages }, children: [links(list)] },
  };
}

function queryResult(slot: 'Refs' | 'Entities' | 'Resources', inner: El, pagingEl: El): El {
  const nulls = (names: string[], keep: string) => Object.fromEntries(names.map((n) => [n, n === keep ? toJson(inner) : null]));
  const json = {
    Refs: slot === 'Refs' ? toJson(inner) : null,
    Entities: slot === 'Entities' ? nulls(ENTITY_SLOTS, inner.name) : null,
    Resources: slot === 'Resources' ? nulls(RESOURCE_SLOTS, inner.name) : null,
    Links: null,
    PagingInfo: toJson(pagingEl),
  };
  const wrapped: El = slot === 'Refs' ? { ...inner, name: 'Refs' } : { name: slot, children: [inner] };
  return { name: 'QueryResult', children: [wrapped, pagingEl], jsonValue: json };
}

function query(w: World, ctx: Ctx): Reply {
  const type = ctx.params.get('type');
  const format = ctx.params.get('format')?.toLowerCase();
  if (type?.toLowerCase() === 'cdpreplica') {
    if (!ctx.session || !ADMIN_ONLY.includes(ctx.session.user.role)) throw new HttpError(403, 'Access denied.');
    const all = applyFilter(w.model.replicas, ctx.params.get('filter'), REPLICA_KEYS, ctx);
    const page = paging(ctx, all.length);
    const items = all.slice(...page.items);
    const entities = format === 'entities' || format === 'entity';
    const inner: El = entities
      ? { name: 'CdpReplicas', json: 'list', children: items.map((r) => replicaEntity(ctx.api, r)) }
      : { name: 'EntityReferences', json: 'list', listKey: 'Refs', children: items.map((r) => replicaRef(ctx.api, r)) };
    return respond(ctx, 200, queryResult(entities ? 'Entities' : 'Refs', inner, page.el));
  }
  if (type?.toLowerCase() === 'task') {
    const all = applyFilter(w.tasks.ofSession(ctx.session?.id ?? ''), ctx.params.get('filter'), TASK_KEYS, ctx);
    const page = paging(ctx, all.length);
    const inner: El = { name: 'Tasks', json: 'list', children: all.slice(...page.items).map((t) => taskEl(ctx.api, t, ctx.now)) };
    return respond(ctx, 200, queryResult('Resources', inner, page.el));
  }
  throw new HttpError(400, `Query type "${type ?? ''}" is not supported by the simulator (supported: CdpReplica, Task).`);
}

export function queryRoutes(w: World): Route[] {
  return [{ pattern: /^\/query\/?$/, auth: true, methods: { GET: (ctx) => query(w, ctx) } }];
}
