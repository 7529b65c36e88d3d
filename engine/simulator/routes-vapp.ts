// /cdpReplica/vApps (canonical) and /cdpReplicas/vApps (§12 #10): vApp CDP replicas.

import { HttpError, respond, wantsEntity } from './context.js';
import type { VAppM, VmM } from './model.js';
import { entityReferences, vappEntity, vappRef, vappVmEntity, vappVmRef } from './reps-cdp.js';
import { actionOf, failoverAction, intervalsAction } from './routes-cdp.js';
import { ADMIN_ONLY, type Route, type World } from './world.js';

const BASE = '\\/cdpReplicas?\\/vApps';

function findVApp(w: World, id: string | undefined): VAppM {
  const a = w.model.vappById.get(id?.toLowerCase() ?? '');
  if (!a) throw new HttpError(404, `Cannot find vApp CDP replica [${id}]`);
  return a;
}

function findVm(a: VAppM, id: string | undefined): VmM {
  const vm = a.vmById.get(id?.toLowerCase() ?? '');
  if (!vm) throw new HttpError(404, `Cannot find VM [${id}] in vApp CDP replica [${a.id}]`);
  return vm;
}

export function vappRoutes(w: World): Route[] {
  return [
    {
      pattern: new RegExp(`^${BASE}\\/?$`),
      auth: true,
      roles: ADMIN_ONLY,
      methods: {
        GET: (ctx) =>
          respond(
            ctx,
            200,
            wantsEntity(ctx.params)
              ? { name: 'VAppCdpReplicas', json: 'list', children: w.model.vapps.map((a) => vappEntity(ctx.api, a)) }
              : entityReferences(w.model.vapps.map((a) => vappRef(ctx.api, a))),
          ),
      },
    },
    {
      pattern: new RegExp(`^${BASE}\\/([^/]+)$`),
      auth: true,
      roles: ADMIN_ONLY,
      methods: {
        // §12 #8: reference by default, entity with ?format=Entity.
        GET: (ctx, [id]) => {
          const a = findVApp(w, id);
          return respond(ctx, 200, wantsEntity(ctx.params) ? vappEntity(ctx.api, a) : vappRef(ctx.api, a, true));
        },
        POST: (ctx, [id]) => {
          const a = findVApp(w, id);
          const action = actionOf(ctx, ['failover', 'intervals']);
          if (action === 'intervals') return intervalsAction(ctx, a.id, a.history);
          return failoverAction(w, ctx, { kind: 'vapp', vm: a, server: a.server });
        },
      },
    },
    {
      pattern: new RegExp(`^${BASE}\\/([^/]+)\\/vms\\/?$`),
      auth: true,
      roles: ADMIN_ONLY,
      methods: {
        GET: (ctx, [id]) => {
          const a = findVApp(w, id);
          return respond(
            ctx,
            200,
            wantsEntity(ctx.params)
              ? { name: 'VAppCdpReplicaVms', json: 'list', children: a.vms.map((vm) => vappVmEntity(ctx.api, a, vm, 'Items')) }
              : entityReferences(a.vms.map((vm) => vappVmRef(ctx.api, a, vm))),
          );
        },
      },
    },
    {
      pattern: new RegExp(`^${BASE}\\/([^/]+)\\/vms\\/([^/]+)$`),
      auth: true,
      roles: ADMIN_ONLY,
      methods: {
        GET: (ctx, [id, vmId]) => {
          const a = findVApp(w, id);
          const vm = findVm(a, vmId);
          const f = ctx.params.get('format')?.toLowerCase();
          return respond(ctx, 200, f === 'entity' || f === 'entities' ? vappVmEntity(ctx.api, a, vm) : vappVmRef(ctx.api, a, vm, true));
        },
      },
    },
  ];
}
