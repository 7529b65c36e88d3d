// /cdpReplicas (API spec §4, §6): lists, references or entities, failover and intervals.
// Portal Administrator only (§6.5).

import { HttpError, respond, wantsEntity, type Ctx } from './context.js';
import { readBody, summarize } from './body.js';
import { intervals, unavailable } from './history.js';
import type { ReplicaM, VmM } from './model.js';
import { entityReferences, intervalsEl, replicaEntity, replicaRef, vmEntity, vmRef } from './reps-cdp.js';
import { parseCdpFailoverSpec, parseIntervalsSpec } from './specs.js';
import { ADMIN_ONLY, startOperation, type Route, type World } from './world.js';

export function findReplica(w: World, id: string | undefined): ReplicaM {
  const r = w.model.replicaById.get(id?.toLowerCase() ?? '');
  if (!r) throw new HttpError(404, `Cannot find CDP replica [${id}]`);
  return r;
}

function findVm(r: ReplicaM, id: string | undefined): VmM {
  const vm = r.vmById.get(id?.toLowerCase() ?? '');
  if (!vm) throw new HttpError(404, `Cannot find CDP replica VM [${id}] in CDP replica [${r.id}]`);
  return vm;
}

/** The failover of one VM or vApp: validate the spec now, decide at the operation's end (§12 #7). */
export async function failoverAction(w: World, ctx: Ctx, target: { kind: 'vm' | 'vapp'; vm: { name: string; failedOver: boolean; history: VmM['history']; behaviour: VmM['behaviour'] }; server: ReplicaM['server'] }): Promise<Response> {
  const body = await readBody(ctx);
  if (body) ctx.bodySummary = summarize(body.root ?? 'CdpFailoverStartSpec', body.entries);
  const spec = parseCdpFailoverSpec(body);
  const missing = unavailable(target.vm.history, ctx.now, spec);
  const subject = target.kind === 'vm' ? `vm:${target.vm.name}` : `vapp:${target.vm.name}`;
  const what = target.kind === 'vm' ? 'VM' : 'vApp';
  return startOperation(w, ctx, {
    operation: 'StartFailover',
    subject,
    displayName: target.vm.name,
    server: target.server,
    behaviour: target.vm.behaviour,
    restoreSession: true,
    apply: () => {
      if (missing) return missing;
      if (target.vm.failedOver) return `${what} is already failed over`;
      target.vm.failedOver = true;
      return undefined;
    },
  });
}

export async function intervalsAction(ctx: Ctx, id: string, history: VmM['history']): Promise<Response> {
  const body = await readBody(ctx);
  if (body) ctx.bodySummary = summarize(body.root ?? 'json', body.entries);
  const { start, end } = parseIntervalsSpec(body);
  return respond(ctx, 200, intervalsEl(intervals(id, history, ctx.now, start, end)));
}

export function actionOf(ctx: Ctx, allowed: string[]): string {
  const action = ctx.params.get('action');
  if (!action) throw new HttpError(405, `POST needs ?action=${allowed.join('|')}`, { Allow: 'GET' });
  const found = allowed.find((a) => a.toLowerCase() === action.toLowerCase());
  if (!found) throw new HttpError(400, `Unknown action "${action}"; this resource supports: ${allowed.join(', ')}.`);
  return found;
}

export function cdpRoutes(w: World): Route[] {
  return [
    {
      pattern: /^\/cdpReplicas\/?$/,
      auth: true,
      roles: ADMIN_ONLY,
      methods: {
        GET: (ctx) =>
          respond(
            ctx,
            200,
            wantsEntity(ctx.params)
              ? { name: 'CdpReplicas', json: 'list', children: w.model.replicas.map((r) => replicaEntity(ctx.api, r)) }
              : entityReferences(w.model.replicas.map((r) => replicaRef(ctx.api, r))),
          ),
      },
    },
    {
      pattern: /^\/cdpReplicas\/([^/]+)$/,
      auth: true,
      roles: ADMIN_ONLY,
      methods: {
        GET: (ctx, [id]) => {
          const r = findReplica(w, id);
          return respond(ctx, 200, wantsEntity(ctx.params) ? replicaEntity(ctx.api, r) : replicaRef(ctx.api, r, true));
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
          return respond(
            ctx,
            200,
            wantsEntity(ctx.params)
              ? { name: 'CdpReplicaVms', json: 'list', children: r.vms.map((vm) => vmEntity(ctx.api, r, vm)) }
              : entityReferences(r.vms.map((vm) => vmRef(ctx.api, r, vm))),
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
          return respond(ctx, 200, wantsEntity(ctx.params) ? vmEntity(ctx.api, r, vm) : vmRef(ctx.api, r, vm, true));
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
