// createSimulator: the pure request handler. Every request is logged (without secrets),
// faults are applied around processing, then the route answers. Order of checks for a
// path under /api: route → token (401) → method (405) → role (403) → the handler (404/400…).

import { systemClock, type Clock } from '../clock.js';
import { errorResponse, HttpError, wantsJson, type Ctx } from './context.js';
import { toResponse, type Reply, type SimRequest } from './reply.js';
import { type ArmedFault, connectionReset, Faults, malformedBody } from './faults.js';
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
import { type SessionM, Sessions, tokenOf } from './sessions.js';
import { snapshot } from './snapshot.js';
import { Tasks } from './tasks.js';
import type { RequestLogEntry, SimState, Simulator, SimulatorOptions } from './types.js';
import type { Route, World } from './world.js';

export const DEFAULT_SESSION_IDLE_MS = 15 * 60_000;

export function createSimulator(options: SimulatorOptions): Simulator {
  const server = openServer(options);
  const { world, clock } = server;
  const serve = (request: SimRequest) => serveRequest(server, request);
  const handle = async (request: Request) => toResponse(await serve(request));
  return {
    serve,
    handle,
    fetch: ((input: string | URL | Request, init?: RequestInit) => handle(new Request(input, init))) as typeof fetch,
    log: server.log,
    get state(): SimState {
      world.tasks.settle(clock.now());
      return snapshot(world, clock.now());
    },
    get baseUrl() {
      return server.baseUrl;
    },
    setBaseUrl(url: string) {
      server.baseUrl = url.replace(/\/+$/, '');
    },
  };
}

/** What every request reads and changes: the model with its sessions and tasks, the routes, the faults, the log. */
interface Server {
  world: World;
  clock: Clock;
  routes: Route[];
  faults: Faults;
  options: SimulatorOptions;
  log: RequestLogEntry[];
  baseUrl: string;
  seq: number;
}

/** One request being answered: the routes' context, its log line, the faults armed for it. */
interface Exchange {
  request: SimRequest;
  ctx: Ctx;
  entry: RequestLogEntry;
  inApi: boolean;
  armed: ArmedFault[];
  /** The session its token names, before any fault ends it. */
  known: SessionM | undefined;
}

function openServer(options: SimulatorOptions): Server {
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
  const routes: Route[] = [
    ...sessionRoutes(world),
    ...taskRoutes(world),
    ...queryRoutes(world),
    ...vappRoutes(world),
    ...cdpRoutes(world),
    ...planRoutes(world),
    ...linkRoutes(world),
  ];
  const baseUrl = (options.baseUrl ?? 'https://localhost:9398').replace(/\/+$/, '');
  return { world, clock, routes, faults, options, log: [], baseUrl, seq: 0 };
}

function record(s: Server, entry: RequestLogEntry): void {
  s.log.push(entry);
  // A long-running `runbook sim` keeps only the newest entries (tests keep them all).
  const max = s.options.maxLogEntries;
  if (max !== undefined && s.log.length > max) s.log.splice(0, s.log.length - max);
  s.options.onRequest?.(entry);
}

/** Faults before the answer (latency, hang, reset), the answer, then faults on the way back. */
async function serveRequest(s: Server, request: SimRequest): Promise<Reply> {
  const x = begin(s, request);
  const has = (kind: string) => x.armed.find((f) => f.kind === kind);
  await latency(s, x);
  x.ctx.now = s.clock.now();
  if (has('hang')) return hang(s, x);
  if (has('reset-before')) throw reset(s, x, 'reset-before');
  let response = await answer(s, x);
  noteAnswer(x, response);
  if (has('reset-after')) throw reset(s, x, 'reset-after');
  const shape = has('malformed') ?? has('truncate') ?? has('bom');
  if (shape && response.body !== undefined) {
    x.entry.fault = shape.kind;
    const text = response.body;
    const body =
      shape.kind === 'malformed'
        ? malformedBody(x.ctx.json)
        : shape.kind === 'truncate'
          ? text.slice(0, Math.floor(text.length / 2))
          : `\uFEFF${text}`;
    response = { ...response, body };
  }
  record(s, x.entry);
  return response;
}

function begin(s: Server, request: SimRequest): Exchange {
  const url = new URL(request.url);
  const method = request.method.toUpperCase();
  const inApi = url.pathname === '/api' || url.pathname.startsWith('/api/');
  const path = inApi ? url.pathname.slice(4) || '/' : url.pathname;
  const query = url.search.slice(1);
  const entry: RequestLogEntry = { seq: ++s.seq, at: new Date(s.clock.now()).toISOString(), method, path, query, status: 0 };
  const ctx: Ctx = {
    request,
    method,
    path,
    params: url.searchParams,
    json: wantsJson(request),
    now: s.clock.now(),
    api: `${s.baseUrl}/api`,
    taskFaults: [],
  };
  const armed = s.faults.arm(method, query ? `${path}?${query}` : path, ctx.now);
  const known = s.world.sessions.peek(tokenOf(request));
  if (known) entry.session = known.label;
  return { request, ctx, entry, inApi, armed, known };
}

/** Sleeps every armed latency on the run's clock; an abort meanwhile is logged, then rethrown. */
async function latency(s: Server, x: Exchange): Promise<void> {
  try {
    for (const f of x.armed) if (f.kind === 'latency') await s.clock.sleep(f.delayMs, x.request.signal);
  } catch (error) {
    x.entry.fault = 'latency';
    record(s, x.entry);
    throw error;
  }
}

/**
 * The requests a `hang` holds until their caller aborts, as an open socket holds a real one.
 * A fetch Request's signal follows its parent's through a WeakRef (undici): once nothing
 * holds the Request, a garbage collection takes it and its signal never aborts. A hung
 * request held only by its own listener lost the client's deadline that way, and the run
 * waited forever (the explorer's deep run, 3 Dec 2026).
 */
const hanging = new Set<SimRequest>();

/** Never answers: only the caller's abort ends the request. */
function hang(s: Server, x: Exchange): Promise<Reply> {
  x.entry.fault = 'hang';
  record(s, x.entry);
  const { request } = x;
  const { signal } = request;
  return new Promise<Reply>((_, reject) => {
    if (signal.aborted) return reject(signal.reason);
    hanging.add(request);
    const end = () => {
      hanging.delete(request);
      reject(signal.reason);
    };
    signal.addEventListener('abort', end, { once: true });
  });
}

/** A dropped connection: logged, and the error for the caller to throw. */
function reset(s: Server, x: Exchange, kind: 'reset-before' | 'reset-after'): TypeError {
  x.entry.fault = kind;
  record(s, x.entry);
  return connectionReset();
}

/** An injected status, or the route's answer (after the faults that end sessions). */
async function answer(s: Server, x: Exchange): Promise<Reply> {
  const { ctx, entry, armed } = x;
  const statusFault = armed.find((f) => f.kind === 'status');
  if (statusFault) {
    entry.fault = 'status';
    const status = statusFault.spec.status ?? 503;
    return errorResponse(
      ctx,
      status,
      statusFault.spec.message ?? (status === 503 ? 'The service is unavailable.' : 'Internal server error.'),
    );
  }
  // A restart forgets tasks and sessions, not the backup server's running operations (§2.2, §5.2).
  if (armed.some((f) => f.kind === 'restart')) {
    s.world.sessions.endAll();
    entry.fault = 'restart';
  }
  if (armed.some((f) => f.kind === 'expire-session') && x.known) {
    s.world.sessions.end(x.known);
    entry.fault = 'expire-session';
  }
  ctx.taskFaults = armed.filter((f) => f.kind.startsWith('task-'));
  s.world.tasks.settle(ctx.now);
  try {
    return await dispatch(s, ctx, x.inApi);
  } catch (error) {
    if (error instanceof HttpError) return errorResponse(ctx, error.status, error.message, error.headers);
    return errorResponse(ctx, 500, error instanceof Error ? error.message : String(error));
  }
}

/** Route → token (401) → method (405) → role (403) → the route's handler. */
async function dispatch(s: Server, ctx: Ctx, inApi: boolean): Promise<Reply> {
  const found = inApi ? findRoute(s.routes, ctx.path) : undefined;
  const needsAuth = inApi && (found?.route.auth ?? true);
  if (needsAuth) {
    const token = tokenOf(ctx.request);
    const session = s.world.sessions.authenticate(token, ctx.now);
    if (!session) {
      throw new HttpError(
        401,
        token === undefined
          ? 'Authorization is required: log on with POST /api/sessionMngr/ and send the X-RestSvcSessionId header.'
          : 'Session has expired or is not found.',
      );
    }
    ctx.session = session;
  }
  if (!found) throw new HttpError(404, `Resource not found: ${ctx.path}`);
  const { route, args } = found;
  const handler = route.methods[ctx.method];
  if (!handler)
    throw new HttpError(405, `Method ${ctx.method} is not allowed on ${ctx.path}`, { Allow: Object.keys(route.methods).join(', ') });
  if (route.roles && ctx.session && !route.roles.includes(ctx.session.user.role)) throw new HttpError(403, 'Access denied.');
  return handler(ctx, args);
}

/** The first route whose pattern matches the path, with the parts it captured. */
function findRoute(routes: Route[], path: string): { route: Route; args: string[] } | undefined {
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (match) return { route, args: match.slice(1) };
  }
  return undefined;
}

/** What the log line says about the answer: status, session, the body's gist, the task and its fault. */
function noteAnswer(x: Exchange, response: Reply): void {
  const { ctx, entry } = x;
  entry.status = response.status;
  if (ctx.session) entry.session = ctx.session.label;
  if (ctx.bodySummary !== undefined) entry.bodySummary = ctx.bodySummary;
  if (ctx.deletedState !== undefined) entry.deletedState = ctx.deletedState;
  if (ctx.taskId !== undefined) {
    entry.taskId = ctx.taskId;
    const taskFault = ctx.taskFaults[0];
    if (taskFault) entry.fault = taskFault.kind;
  }
}
