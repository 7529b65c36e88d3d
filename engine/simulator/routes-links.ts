// The resources every CDP, vApp and plan representation and the logon session link to, so
// a client that follows links never meets a 404 (API spec §4, fixture logon-sessions.xml):
// backup servers, repositories and CDP policies from the model, the restore sessions of the
// failovers done, the service entry points, and empty lists for what the model does not hold.

import { respond, wantsEntity, type Ctx } from './context.js';
import { entityReferences } from './reps-cdp.js';
import { restoreSessionEntity, restoreSessionRef, restoreSessionsOf } from './reps-restore.js';
import {
  backupServerEntity,
  backupServerRef,
  policiesOf,
  policyEntity,
  policyRef,
  repositoriesOf,
  repositoryEntity,
  repositoryRef,
} from './reps-servers.js';
import { EMPTY_COLLECTIONS, emptyList, SERVER_EMPTY, SERVER_INFO_LISTS, serviceEl, SERVICES } from './reps-services.js';
import { findById, itemResponse, listRoute } from './route-kit.js';
import type { Reply } from './reply.js';
import type { Role } from './types.js';
import { ADMIN_ONLY, type Route, type World } from './world.js';

/** Every EM role may read these (a real EM scopes their content by role; the simulator holds no scopes). */
const EVERY_ROLE: Role[] = ['Portal Administrator', 'Restore Operator', 'Portal User'];
const escapeSlashes = (path: string) => path.replace(/\//g, '\\/');
const byId = <T extends { id: string }>(items: T[]) => new Map(items.map((i) => [i.id.toLowerCase(), i]));

/** An empty collection: references by default, the typed list with ?format=Entity. */
function emptyReply(ctx: Ctx, root: string): Reply {
  return respond(ctx, 200, wantsEntity(ctx.params) ? emptyList(root) : entityReferences([]));
}

function get(pattern: RegExp, handler: (ctx: Ctx, params: string[]) => Reply, roles = EVERY_ROLE): Route {
  return { pattern, auth: true, roles, methods: { GET: handler } };
}

function serverRoutes(w: World): Route[] {
  const server = (id: string | undefined) => findById(byId(w.model.servers), id, (i) => `Cannot find backup server [${i}]`);
  return [
    listRoute(/^\/backupServers\/?$/, EVERY_ROLE, 'BackupServers', () => w.model.servers, backupServerEntity, backupServerRef),
    get(/^\/backupServers\/([^/]+)$/, (ctx, [id]) => {
      const s = server(id);
      return itemResponse(
        ctx,
        () => backupServerEntity(ctx.api, s),
        () => backupServerRef(ctx.api, s, true),
      );
    }),
    get(/^\/backupServers\/([^/]+)\/repositories\/?$/, (ctx, [id]) => {
      const s = server(id);
      const repos = repositoriesOf(w.model).filter((r) => r.server === s);
      const el = wantsEntity(ctx.params)
        ? { name: 'Repositories', json: 'list' as const, children: repos.map((r) => repositoryEntity(ctx.api, r)) }
        : entityReferences(repos.map((r) => repositoryRef(ctx.api, r)));
      return respond(ctx, 200, el);
    }),
    // Under an existing backup server only (an unknown id is 404, as for the server itself).
    ...SERVER_EMPTY.map(([sub, root]) =>
      get(new RegExp(`^\\/backupServers\\/([^/]+)\\/${sub}\\/?$`), (ctx, [id]) => {
        server(id);
        return emptyReply(ctx, root);
      }),
    ),
    ...SERVER_INFO_LISTS.map(([sub, root]) =>
      get(new RegExp(`^\\/backupServers\\/([^/]+)\\/${sub}\\/?$`), (ctx, [id]) => {
        server(id);
        return respond(ctx, 200, emptyList(root));
      }),
    ),
  ];
}

function repositoryAndPolicyRoutes(w: World): Route[] {
  const policy = (id: string | undefined) => findById(byId(policiesOf(w.model)), id, (i) => `Cannot find CDP policy [${i}]`);
  return [
    listRoute(/^\/repositories\/?$/, EVERY_ROLE, 'Repositories', () => repositoriesOf(w.model), repositoryEntity, repositoryRef),
    get(/^\/repositories\/([^/]+)$/, (ctx, [id]) => {
      const r = findById(byId(repositoriesOf(w.model)), id, (i) => `Cannot find repository [${i}]`);
      return itemResponse(
        ctx,
        () => repositoryEntity(ctx.api, r),
        () => repositoryRef(ctx.api, r, true),
      );
    }),
    listRoute(/^\/cdpPolicies\/?$/, ADMIN_ONLY, 'CdpPolicies', () => policiesOf(w.model), policyEntity, policyRef),
    get(
      /^\/cdpPolicies\/([^/]+)$/,
      (ctx, [id]) => {
        const p = policy(id);
        return itemResponse(
          ctx,
          () => policyEntity(ctx.api, p),
          () => policyRef(ctx.api, p, true),
        );
      },
      ADMIN_ONLY,
    ),
    get(
      /^\/cdpPolicies\/([^/]+)\/includes\/?$/,
      (ctx, [id]) => {
        policy(id);
        return respond(ctx, 200, emptyList('ObjectsInJob'));
      },
      ADMIN_ONLY,
    ),
    get(
      /^\/cdpPolicies\/([^/]+)\/cdpReplicaSessions\/?$/,
      (ctx, [id]) => {
        policy(id);
        return emptyReply(ctx, 'CdpReplicaSessions');
      },
      ADMIN_ONLY,
    ),
  ];
}

export function linkRoutes(w: World): Route[] {
  return [
    ...serverRoutes(w),
    ...repositoryAndPolicyRoutes(w),
    listRoute(
      /^\/restoreSessions\/?$/,
      EVERY_ROLE,
      'RestoreSessions',
      () => restoreSessionsOf(w.restoreSessions),
      (api, rs) => restoreSessionEntity(api, rs, w.clock.now()),
      (api, rs) => restoreSessionRef(api, rs, w.clock.now()),
    ),
    ...SERVICES.map(([path, root]) =>
      get(new RegExp(`^${escapeSlashes(path)}\\/?$`), (ctx) => respond(ctx, 200, serviceEl(ctx.api, path, root))),
    ),
    ...EMPTY_COLLECTIONS.map(([path, root]) => get(new RegExp(`^${escapeSlashes(path)}\\/?$`), (ctx) => emptyReply(ctx, root))),
  ];
}
