// Per-request context and response building: media negotiation (§1, §7: JSON when
// Accept contains application/json anywhere, else XML) and EM Error bodies.

import type { El } from './doc.js';
import { renderJson } from './json-render.js';
import { renderXml } from './xml-render.js';
import { errorEl } from './reps-core.js';
import type { SessionM } from './sessions.js';
import type { TaskState } from './tasks.js';
import type { ArmedFault } from './faults.js';
import type { Reply, SimRequest } from './reply.js';

/** Thrown by routes; the handler turns it into an EM Error response. Never leaves the simulator. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface Ctx {
  request: SimRequest;
  method: string;
  /** Relative to /api, e.g. `/cdpReplicas/…`. */
  path: string;
  params: URLSearchParams;
  /** JSON media (Accept contains application/json). */
  json: boolean;
  now: number;
  /** `<base>/api` */
  api: string;
  session?: SessionM;
  /** Faults that shape a task this request creates. */
  taskFaults: ArmedFault[];
  bodySummary?: string;
  taskId?: string;
  /** DELETE /tasks/{id}: the state the task was in when deleted (for the request log). */
  deletedState?: TaskState;
}

export function wantsJson(request: SimRequest): boolean {
  return (request.headers.get('accept') ?? '').toLowerCase().includes('application/json');
}

export function mediaType(json: boolean): string {
  return json ? 'application/json; charset=utf-8' : 'application/xml; charset=utf-8';
}

export function respond(ctx: Pick<Ctx, 'json'>, status: number, el?: El, headers: Record<string, string> = {}): Reply {
  const h: Record<string, string> = { Server: 'Microsoft-HTTPAPI/2.0', ...headers };
  if (!el) return { status, headers: h };
  h['Content-Type'] = mediaType(ctx.json);
  return { status, headers: h, body: ctx.json ? renderJson(el) : renderXml(el) };
}

export function errorResponse(ctx: Pick<Ctx, 'json'>, status: number, message: string, headers: Record<string, string> = {}): Reply {
  return respond(ctx, status, errorEl(status, message), headers);
}

/** `?format=Entity` (case-insensitive; `Entities` too, §12 #8). */
export function wantsEntity(params: URLSearchParams): boolean {
  const f = params.get('format')?.toLowerCase();
  return f === 'entity' || f === 'entities';
}
