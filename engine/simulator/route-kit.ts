// What the resource routes (cdp, vapp, plans) share: id lookup, reference-or-entity
// answers (§12 #8), the ?action= dispatch, logged spec bodies and one-flag operations.

import { HttpError, respond, wantsEntity, type Ctx } from './context.js';
import { readBody, summarize, type ParsedBody } from './body.js';
import type { El } from './doc.js';
import { entityReferences } from './reps-cdp.js';
import type { Role } from './types.js';
import { startOperation, type OperationSpec, type Route, type World } from './world.js';
import type { Reply } from './reply.js';

/** The item with this id (ids are case-insensitive), or a 404 saying `what` was not found. */
export function findById<T>(items: Map<string, T>, id: string | undefined, notFound: (id: string | undefined) => string): T {
  const item = items.get(id?.toLowerCase() ?? '');
  if (!item) throw new HttpError(404, notFound(id));
  return item;
}

type Render<T> = (api: string, item: T) => El;

/** A collection: references by default, entities under `name` with ?format=Entity. */
export function listResponse<T>(ctx: Ctx, name: string, items: T[], entity: Render<T>, ref: Render<T>): Reply {
  return respond(
    ctx,
    200,
    wantsEntity(ctx.params)
      ? { name, json: 'list', children: items.map((item) => entity(ctx.api, item)) }
      : entityReferences(items.map((item) => ref(ctx.api, item))),
  );
}

/** One item: its root reference by default, the entity with ?format=Entity. */
export function itemResponse(ctx: Ctx, entity: () => El, rootRef: () => El): Reply {
  return respond(ctx, 200, wantsEntity(ctx.params) ? entity() : rootRef());
}

/** The GET-only route of a top-level collection. */
export function listRoute<T>(pattern: RegExp, roles: Role[], name: string, items: () => T[], entity: Render<T>, ref: Render<T>): Route {
  return { pattern, auth: true, roles, methods: { GET: (ctx) => listResponse(ctx, name, items(), entity, ref) } };
}

/** The `?action=` of a POST, matched case-insensitively against what the resource supports. */
export function actionOf(ctx: Ctx, allowed: string[]): string {
  const action = ctx.params.get('action');
  if (!action) throw new HttpError(405, `POST needs ?action=${allowed.join('|')}`, { Allow: 'GET' });
  const found = allowed.find((a) => a.toLowerCase() === action.toLowerCase());
  if (!found) throw new HttpError(400, `Unknown action "${action}"; this resource supports: ${allowed.join(', ')}.`);
  return found;
}

/** Reads the body and records it in the request log (`logAs` names a JSON body, which has no root). */
export async function readLoggedBody(ctx: Ctx, logAs: string): Promise<ParsedBody | undefined> {
  const body = await readBody(ctx);
  if (body) ctx.bodySummary = summarize(body.root ?? logAs, body.entries);
  return body;
}

export interface FlagOperation extends Omit<OperationSpec, 'apply'> {
  /** Checked when the operation ends: why it fails, or undefined to go ahead. */
  refusal: () => string | undefined;
  /** The model change (a failover or plan flag) made when nothing refuses. */
  change: () => void;
}

/** Starts an operation whose end flips one flag unless something refuses it then. */
export function startFlagOperation(w: World, ctx: Ctx, op: FlagOperation): Reply {
  const { refusal, change, ...spec } = op;
  const apply = () => {
    const problem = refusal();
    if (problem !== undefined) return problem;
    change();
    return undefined;
  };
  return startOperation(w, ctx, Object.assign(spec, { apply }));
}
