// Per-request context and response building: media negotiation (§1, §7: JSON when
// Accept contains application/json anywhere, else XML) and EM Error bodies.

import type { El } from './doc.js';
import { renderJson } from './json-render.js';
import { renderXml } from './xml-render.js';
import { errorEl } from './reps-core.js';
import type { SessionM } from './sessions.js';
import type { ArmedFault } from './faults.js';

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
  request: Request;
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
}

export function wantsJson(request: Request): boolean {
  return (request.headers.get('accept') ?? '').toLowerCase().includes('application/json');
}

export function mediaType(json: boolean): string {
  return json ? 'application/json; charset=utf-8' : 'application/xml; charset=utf-8';
}

/** The text a simulator Response was made from: the server writes it without reading the body stream back. */
export const BODY_TEXT = Symbol('simulator.bodyText');
export type SimResponse = Response & { [BODY_TEXT]?: string };

export function textResponse(text: string, init: ResponseInit): Response {
  const response = new Response(text, init) as SimResponse;
  response[BODY_TEXT] = text;
  return response;
}

export function respond(ctx: Pick<Ctx, 'json'>, status: number, el?: El, headers: Record<string, string> = {}): Response {
  const h = new Headers({ Server: 'Microsoft-HTTPAPI/2.0', ...headers });
  if (!el) return new Response(null, { status, headers: h });
  h.set('Content-Type', mediaType(ctx.json));
  return textResponse(ctx.json ? renderJson(el) : renderXml(el), { status, headers: h });
}

export function errorResponse(ctx: Pick<Ctx, 'json'>, status: number, message: string, headers: Record<string, string> = {}): Response {
  return respond(ctx, status, errorEl(status, message), headers);
}

/** `?format=Entity` (case-insensitive; `Entities` too, §12 #8). */
export function wantsEntity(params: URLSearchParams): boolean {
  const f = params.get('format')?.toLowerCase();
  return f === 'entity' || f === 'entities';
}
