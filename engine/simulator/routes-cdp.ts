// /cdpReplicas (API spec §4, §6): lists, references or entities, failover and intervals.
// Portal Administrator only (§6.5).

import { respond, type Ctx } from './context.js';
import { intervals, unavailable } from './history.js';
import type { ReplicaM, VmM } from './model.js';
import { intervalsEl, replicaEntity, replicaRef, vmEntity, vmRef } from './reps-cdp.js';
import { actionOf, findById, itemResponse, listResponse, listRoute, readLoggedBody, startFlagOperation } from './route-kit.js';
import { parseCdpFailoverSpec, parseIntervalsSpec } from './specs.js';
import { ADMIN_ONLY, type Route, type World } from './world.js';
import type { Reply } from './reply.js';

function findReplica(w: World, id: string | undefined): ReplicaM {
  return findById(w.model.replicaById, id, (i) => `Cannot find CDP replica [${i}]`);
}

function findVm(r: ReplicaM, id: string | undefined): VmM {
  return findById(r.vmById, id, (i) => `Cannot find CDP replica VM [${i}] in CDP replica [${r.id}]`);
}

/** The failover of one VM or vApp: validate the spec now, decide at the operation's end (§12 #7). */
export async function failoverAction(
  w: World,
  ctx: Ctx,
  target: {
    kind: 'vm' | 'vapp';
    vm: { name: string; failedOver: boolean; history: VmM['history']; behaviour: VmM['behaviour'] };
    server: ReplicaM['server'];
  },
): Promise<Reply> {
  const spec = parseCdpFailoverSpec(await readLoggedBody(ctx, 'CdpFailoverStartSpec'));
  const missing = unavailable(target.vm.history, ctx.now, spec);
  const what = target.kind === 'vm' ? 'VM' : 'vApp';
  return startFlagOperation(w, ctx, {
    operation: 'StartFailover',
    subject: `${target.kind}:${target.vm.name}`,
    displayName: target.vm.name,
    server: target.server,
    behaviour: target.vm.behaviour,
    restoreSession: true,
    refusal: () => missing ?? (target.vm.failedOver ? `${what} is already failed over` : undefined),
    change: () => {
      target.vm.failedOver = true;
    },
  });
}

export async function intervalsAction(ctx: Ctx, id: string, history: VmM['history']): Promise<Reply> {
  const { start, end } = parseIntervalsSpec(await readLoggedBody(ctx, 'json'));
  return respond(ctx, 200, intervalsEl(intervals(id, history, ctx.now, start, end)));
}

export function cdpRoutes(w: World): Route[] {
  return [
    listRoute(/^\/cdpReplicas\/?$/, ADMIN_ONLY, 'CdpReplicas', () => w.model.replicas, replicaEntity, replicaRef),
    {
      pattern: /^\/cdpReplicas\/([^/]+)$/,
      auth: true,
      roles: ADMIN_ONLY,
      methods: {
        GET: (ctx, [id]) => {
          const r = findReplica(w, id);
          return itemResponse(
            ctx,
            () => replicaEntity(ctx.api, r),
            () => replicaRef(ctx.api, r, true),
          );
        },
      },
    },
    {
      pattern: /^\/cdpReplicas\/([^/]+)\/vms\/?$/,
      auth: true,
      roles: ADMIN_ONLY,
      methods: {
        GET: (ctx, [id]) => {
          const r = findReplica(w, id);
          return listResponse(
            ctx,
            'CdpReplicaVms',
            r.vms,
            (api, vm) => vmEntity(api, r, vm),
            (api, vm) => vmRef(api, r, vm),
          );
        },
      },
    },
    {
      pattern: /^\/cdpReplicas\/([^/]+)\/vms\/([^/]+)$/,
      auth: true,
      roles: ADMIN_ONLY,
      methods: {
        GET: (ctx, [id, vmId]) => {
          const r = findReplica(w, id);
          const vm = findVm(r, vmId);
          return itemResponse(
            ctx,
            () => vmEntity(ctx.api, r, vm),
            () => vmRef(ctx.api, r, vm, true),
          );
        },
        POST: (ctx, [id, vmId]) => {
          const r = findReplica(w, id);
          const vm = findVm(r, vmId);
          const action = actionOf(ctx, ['failover', 'intervals']);
          if (action === 'intervals') return intervalsAction(ctx, vm.id, vm.history);
          return failoverAction(w, ctx, { kind: 'vm', vm, server: r.server });
        },
      },
    },
  ];
}
