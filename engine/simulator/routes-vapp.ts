// /cdpReplica/vApps (canonical) and /cdpReplicas/vApps (§12 #10): vApp CDP replicas.

import type { VAppM, VmM } from './model.js';
import { vappEntity, vappRef, vappVmEntity, vappVmRef } from './reps-cdp.js';
import { failoverAction, intervalsAction } from './routes-cdp.js';
import { actionOf, findById, itemResponse, listResponse, listRoute } from './route-kit.js';
import { ADMIN_ONLY, type Route, type World } from './world.js';

const BASE = '\\/cdpReplicas?\\/vApps';

function findVApp(w: World, id: string | undefined): VAppM {
  return findById(w.model.vappById, id, (i) => `Cannot find vApp CDP replica [${i}]`);
}

function findVm(a: VAppM, id: string | undefined): VmM {
  return findById(a.vmById, id, (i) => `Cannot find VM [${i}] in vApp CDP replica [${a.id}]`);
}

export function vappRoutes(w: World): Route[] {
  return [
    listRoute(new RegExp(`^${BASE}\\/?$`), ADMIN_ONLY, 'VAppCdpReplicas', () => w.model.vapps, vappEntity, vappRef),
    {
      pattern: new RegExp(`^${BASE}\\/([^/]+)$`),
      auth: true,
      roles: ADMIN_ONLY,
      methods: {
        // §12 #8: reference by default, entity with ?format=Entity.
        GET: (ctx, [id]) => {
          const a = findVApp(w, id);
          return itemResponse(
            ctx,
            () => vappEntity(ctx.api, a),
            () => vappRef(ctx.api, a, true),
          );
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
          return listResponse(
            ctx,
            'VAppCdpReplicaVms',
            a.vms,
            (api, vm) => vappVmEntity(api, a, vm, 'Items'),
            (api, vm) => vappVmRef(api, a, vm),
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
          return itemResponse(
            ctx,
            () => vappVmEntity(ctx.api, a, vm),
            () => vappVmRef(ctx.api, a, vm, true),
          );
        },
      },
    },
  ];
}
