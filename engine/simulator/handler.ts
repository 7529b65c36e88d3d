// createSimulator: the pure request handler. Every request is logged (without secrets),
// faults are applied around processing, then the route answers. Order of checks for a
// path under /api: route → token (401) → method (405) → role (403) → the handler (404/400…).

import { systemClock } from '../clock.js';
import { errorResponse, HttpError, wantsJson, type Ctx } from './context.js';
import { toResponse, type Reply, type SimRequest } from './reply.js';
import { connectionReset, Faults, malformedBody } from './faults.js';
import { seededRandom } from './ids.js';
import { validateInventory } from './inventory.js';
import { buildModel } from './build-model.js';
import { cdpRoutes } from './routes-cdp.js';
import { linkRoutes } from './routes-links.js';
import { planRoutes } from './routes-plans.js';
import { queryRoutes } from './routes-query.js';
import { sessionRoutes } from './routes-session.js';
import { taskRoutes } from './routes-tasks.js';
import { vappRoutes } from './routes-vapp.js';
import { Sessions, tokenOf } from './sessions.js';
import { snapshot } from './snapshot.js';
import { Tasks } from './tasks.js';
import type { RequestLogEntry, SimState, Simulator, SimulatorOptions } from './types.js';
import type { Route, World } from './world.js';

export const DEFAULT_SESSION_IDLE_MS = 15 * 60_000;

export function createSimulator(options: SimulatorOptions): Simulator {
  const clock = options.clock ?? systemClock;
  const inventory = validateInventory(options.inventory);
  const seed = options.seed ?? 1;
  // Separate streams: GUIDs drawn for sessions never shift which requests a fault hits.
  const random = seededRandom(seed);
  const model = buildModel(inventory, clock.now());
  const faults = new Faults([...(inventory.faults ?? []), ...(options.faults ?? [])], seededRandom(seed ^ 0x5bd1e995));
  const tasks = new Tasks();
  const world: World = {
    model,
    tasks,
    sessions: new Sessions(options.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS, random, (s) => tasks.dropSession(s.id)),
    restoreSessions: new Map(),
    clock,
    random,
    failovers: {},
  };
  const routes: Route[] = [...sessionRoutes(world), ...taskRoutes(world), ...queryRoutes(world), ...vappRoutes(world), ...cdpRoutes(world), ...planRoutes(world), ...linkRoutes(world)];
  let baseUrl = (options.baseUrl ?? 'https://localhost:9398').replace(/\/+$/, '');
  const log: RequestLogEntry[] = [];
  let seq = 0;
  const record = (entry: RequestLogEntry) => {
    log.push(entry);
    // A long-running `runbook sim` keeps only the newest entries (tests keep them all).
    if (options.maxLogEntries !== undefined && log.length > options.maxLogEntries) log.splice(0, log.length - options.maxLogEntries);
    options.onRequest?.(entry);
  };

  async function dispatch(ctx: Ctx, inApi: boolean): Promise<Reply> {
    let match: RegExpExecArray | null = null;
    const route = inApi ? routes.find((r) => (match = r.pattern.exec(ctx.path)) !== null) : undefined;
    const needsAuth = inApi && (route?.auth ?? true);
    if (needsAuth) {
      const token = tokenOf(ctx.request);
      const session = world.sessions.authenticate(token, ctx.now);
      if (!session) {
        throw new HttpError(401, token === undefined ? 'Authorization is required: log on with POST /api/sessionMngr/ and send the X-RestSvcSessionId header.' : 'Session has expired or is not found.');
      }
      ctx.session = session;
    }
    if (!route || !match) throw new HttpError(404, `Resource not found: ${ctx.path}`);
    const handler = route.methods[ctx.method];
    if (!handler) throw new HttpError(405, `Method ${ctx.method} is not allowed on ${ctx.path}`, { Allow: Object.keys(route.methods).join(', ') });
    if (route.roles && ctx.session && !route.roles.includes(ctx.session.user.role)) throw new HttpError(403, 'Access denied.');
    return handler(ctx, (match as RegExpExecArray).slice(1));
  }

  async function serve(request: SimRequest): Promise<Reply> {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    const inApi = url.pathname === '/api' || url.pathname.startsWith('/api/');
    const path = inApi ? url.pathname.slice(4) || '/' : url.pathname;
    const query = url.search.slice(1);
    const entry: RequestLogEntry = { seq: ++seq, at: new Date(clock.now()).toISOString(), method, path, query, status: 0 };
    const ctx: Ctx = { request, method, path, params: url.searchParams, json: wantsJson(request), now: clock.now(), api: `${baseUrl}/api`, taskFaults: [] };
    const armed = faults.arm(method, query ? `${path}?${query}` : path, ctx.now);
    const has = (kind: string) => armed.find((f) => f.kind === kind);
    const known = world.sessions.peek(tokenOf(request));
    if (known) entry.session = known.label;

    try {
      for (const f of armed) if (f.kind === 'latency') await clock.sleep(f.delayMs, request.signal);
    } catch (error) {
      entry.fault = 'latency';
      record(entry);
      throw error;
    }
    ctx.now = clock.now();
    if (has('hang')) {
      entry.fault = 'hang';
      record(entry);
      return new Promise<Reply>((_, reject) => {
        if (request.signal.aborted) reject(request.signal.reason);
        request.signal.addEventListener('abort', () => reject(request.signal.reason), { once: true });
      });
    }
    if (has('reset-before')) {
      entry.fault = 'reset-before';
      record(entry);
      throw connectionReset();
    }

    let response: Reply;
    const statusFault = has('status');
    if (statusFault) {
      entry.fault = 'status';
      const status = statusFault.spec.status ?? 503;
      response = errorResponse(ctx, status, statusFault.spec.message ?? (status === 503 ? 'The service is unavailable.' : 'Internal server error.'));
    } else {
      // A restart forgets tasks and sessions, not the backup server's running operations (§2.2, §5.2).
      if (has('restart')) {
        world.sessions.endAll();
        entry.fault = 'restart';
      }
      if (has('expire-session') && known) {
        world.sessions.end(known);
        entry.fault = 'expire-session';
      }
      ctx.taskFaults = armed.filter((f) => f.kind.startsWith('task-'));
      world.tasks.settle(ctx.now);
      try {
        response = await dispatch(ctx, inApi);
      } catch (error) {
        if (error instanceof HttpError) response = errorResponse(ctx, error.status, error.message, error.headers);
        else response = errorResponse(ctx, 500, error instanceof Error ? error.message : String(error));
      }
    }
    entry.status = response.status;
    if (ctx.session) entry.session = ctx.session.label;
    if (ctx.bodySummary !== undefined) entry.bodySummary = ctx.bodySummary;
    if (ctx.deletedState !== undefined) entry.deletedState = ctx.deletedState;
    if (ctx.taskId !== undefined) {
      entry.taskId = ctx.taskId;
      const taskFault = ctx.taskFaults[0];
      if (taskFault) entry.fault = taskFault.kind;
    }
    if (has('reset-after')) {
      entry.fault = 'reset-after';
      record(entry);
      throw connectionReset();
    }
    const shape = has('malformed') ?? has('truncate') ?? has('bom');
    if (shape && response.body !== undefined) {
      entry.fault = shape.kind;
      const text = response.body;
      const body = shape.kind === 'malformed' ? malformedBody(ctx.json) : shape.kind === 'truncate' ? text.slice(0, Math.floor(text.length / 2)) : `\uFEFF${text}`;
      response = { ...response, body };
    }
    record(entry);
    return response;
  }

  const handle = async (request: Request) => toResponse(await serve(request));
  return {
    serve,
    handle,
    fetch: ((input: string | URL | Request, init?: RequestInit) => handle(new Request(input, init))) as typeof fetch,
    log,
    get state(): SimState {
      world.tasks.settle(clock.now());
      return snapshot(world, clock.now());
    },
    get baseUrl() {
      return baseUrl;
    },
    setBaseUrl(url: string) {
      baseUrl = url.replace(/\/+$/, '');
    },
  };
}
