// /failoverPlans (start, undo) and /vmReplicaPoints (failover), API spec §8. Roles: Portal
// Administrator and Restore Operators (§6.5).

import { HttpError, respond, wantsEntity } from './context.js';
import { readBody, summarize } from './body.js';
import type { PlanM, ReplicaPointM } from './model.js';
import { entityReferences } from './reps-cdp.js';
import { planEntity, planRef, pointRef } from './reps-plans.js';
import { actionOf } from './routes-cdp.js';
import { parsePlanStartSpec } from './specs.js';
import { PLAN_ROLES, startOperation, type Route, type World } from './world.js';

function findPlan(w: World, id: string | undefined): PlanM {
  const p = w.model.planById.get(id?.toLowerCase() ?? '');
  if (!p) throw new HttpError(404, `Cannot find failover plan [${id}]`);
  return p;
}

function findPoint(w: World, id: string | undefined): ReplicaPointM {
  const p = w.model.pointById.get(id?.toLowerCase() ?? '');
  if (!p) throw new HttpError(404, `Cannot find VM replica point [${id}]`);
  return p;
}

export function planRoutes(w: World): Route[] {
  return [
    {
      pattern: /^\/failoverPlans\/?$/,
      auth: true,
      roles: PLAN_ROLES,
      methods: {
        GET: (ctx) =>
          respond(
            ctx,
            200,
            wantsEntity(ctx.params)
              ? { name: 'FailoverPlans', json: 'list', children: w.model.plans.map((p) => planEntity(ctx.api, p)) }
              : entityReferences(w.model.plans.map((p) => planRef(ctx.api, p))),
          ),
      },
    },
    {
      pattern: /^\/failoverPlans\/([^/]+)$/,
      auth: true,
      roles: PLAN_ROLES,
      methods: {
        GET: (ctx, [id]) => {
          const p = findPlan(w, id);
          return respond(ctx, 200, wantsEntity(ctx.params) ? planEntity(ctx.api, p) : planRef(ctx.api, p, true));
        },
        POST: async (ctx, [id]) => {
          const plan = findPlan(w, id);
          const action = actionOf(ctx, ['start', 'undo']);
          const body = await readBody(ctx);
          if (body) ctx.bodySummary = summarize(body.root ?? 'FailoverPlanManagementSpec', body.entries);
          const common = { subject: `plan:${plan.name}`, displayName: plan.name, server: plan.server, behaviour: plan.behaviour, restoreSession: false };
          if (action === 'start') {
            // §8: Content-Type (and so a spec body) is required for start.
            parsePlanStartSpec(body);
            return startOperation(w, ctx, {
              ...common,
              operation: 'StartFailoverPlan',
              apply: () => {
                if (plan.active) return 'Failover plan is already in failover state';
                plan.active = true;
                return undefined;
              },
            });
          }
          return startOperation(w, ctx, {
            ...common,
            subject: `undo-plan:${plan.name}`,
            operation: 'UndoFailoverPlan',
            apply: () => {
              if (!plan.active) return 'Failover plan is not in failover state';
              plan.active = false;
              return undefined;
            },
          });
        },
      },
    },
    {
      pattern: /^\/vmReplicaPoints\/?$/,
      auth: true,
      roles: PLAN_ROLES,
      methods: { GET: (ctx) => respond(ctx, 200, entityReferences(w.model.points.map((p) => pointRef(ctx.api, p)))) },
    },
    {
      pattern: /^\/vmReplicaPoints\/([^/]+)$/,
      auth: true,
      roles: PLAN_ROLES,
      methods: {
        GET: (ctx, [id]) => respond(ctx, 200, pointRef(ctx.api, findPoint(w, id), true)),
        POST: async (ctx, [id]) => {
          const point = findPoint(w, id);
          actionOf(ctx, ['failover']);
          await readBody(ctx);
          return startOperation(w, ctx, {
            operation: 'StartReplicaFailover',
            subject: `replica:${point.vm}`,
            displayName: point.vm,
            server: point.server,
            behaviour: point.behaviour,
            restoreSession: true,
            apply: () => {
              if (w.model.points.some((p) => p.vm === point.vm && p.failedOver)) return 'VM is already failed over';
              point.failedOver = true;
              return undefined;
            },
          });
        },
      },
    },
  ];
}
