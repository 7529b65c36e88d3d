// /failoverPlans (start, undo) and /vmReplicaPoints (failover), API spec §8. Roles: Portal
// Administrator and Restore Operators (§6.5).

import { respond, type Ctx } from './context.js';
import { readBody } from './body.js';
import type { PlanM, ReplicaPointM } from './model.js';
import type { Reply } from './reply.js';
import { entityReferences } from './reps-cdp.js';
import { planEntity, planRef, pointRef } from './reps-plans.js';
import { actionOf, findById, itemResponse, listRoute, readLoggedBody, startFlagOperation } from './route-kit.js';
import { parsePlanStartSpec } from './specs.js';
import { PLAN_ROLES, type Route, type World } from './world.js';

function findPlan(w: World, id: string | undefined): PlanM {
  return findById(w.model.planById, id, (i) => `Cannot find failover plan [${i}]`);
}

function findPoint(w: World, id: string | undefined): ReplicaPointM {
  return findById(w.model.pointById, id, (i) => `Cannot find VM replica point [${i}]`);
}

export function planRoutes(w: World): Route[] {
  return [
    listRoute(/^\/failoverPlans\/?$/, PLAN_ROLES, 'FailoverPlans', () => w.model.plans, planEntity, planRef),
    {
      pattern: /^\/failoverPlans\/([^/]+)$/,
      auth: true,
      roles: PLAN_ROLES,
      methods: {
        GET: (ctx, [id]) => {
          const p = findPlan(w, id);
          return itemResponse(
            ctx,
            () => planEntity(ctx.api, p),
            () => planRef(ctx.api, p, true),
          );
        },
        POST: (ctx, [id]) => planAction(w, ctx, findPlan(w, id)),
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
        POST: (ctx, [id]) => replicaFailover(w, ctx, findPoint(w, id)),
      },
    },
  ];
}

/** POST /failoverPlans/{id}?action=start|undo: an async task that flips the plan's state. */
async function planAction(w: World, ctx: Ctx, plan: PlanM): Promise<Reply> {
  const action = actionOf(ctx, ['start', 'undo']);
  const body = await readLoggedBody(ctx, 'FailoverPlanManagementSpec');
  const common = {
    subject: `plan:${plan.name}`,
    displayName: plan.name,
    server: plan.server,
    behaviour: plan.behaviour,
    restoreSession: false,
  };
  if (action === 'start') {
    // §8: Content-Type (and so a spec body) is required for start.
    parsePlanStartSpec(body);
    return startFlagOperation(w, ctx, {
      ...common,
      operation: 'StartFailoverPlan',
      refusal: () => (plan.active ? 'Failover plan is already in failover state' : undefined),
      change: () => {
        plan.active = true;
      },
    });
  }
  return startFlagOperation(w, ctx, {
    ...common,
    subject: `undo-plan:${plan.name}`,
    operation: 'UndoFailoverPlan',
    refusal: () => (plan.active ? undefined : 'Failover plan is not in failover state'),
    change: () => {
      plan.active = false;
    },
  });
}

/** POST /vmReplicaPoints/{id}?action=failover: refused while the VM is already failed over. */
async function replicaFailover(w: World, ctx: Ctx, point: ReplicaPointM): Promise<Reply> {
  actionOf(ctx, ['failover']);
  // Read (Content-Type checked) but not logged: a replica failover takes no spec.
  await readBody(ctx);
  return startFlagOperation(w, ctx, {
    operation: 'StartReplicaFailover',
    subject: `replica:${point.vm}`,
    displayName: point.vm,
    server: point.server,
    behaviour: point.behaviour,
    restoreSession: true,
    refusal: () => (w.model.points.some((p) => p.vm === point.vm && p.failedOver) ? 'VM is already failed over' : undefined),
    change: () => {
      point.failedOver = true;
    },
  });
}
