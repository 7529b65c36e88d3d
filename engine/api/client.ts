// Assembly of the EM client: options normalised once, then transport → pipeline →
// session → resources. Everything the client does goes through `pipeline.run`.

import { systemClock, type Clock } from '../clock.js';
import { EmMalformedResponseError, errorMessage } from '../errors.js';
import type { MediaType } from '../playbook/types.js';
import { normalizeBaseUrl } from './base-url.js';
import { encodeBody } from './bodies.js';
import { calls } from './calls.js';
import { idFromHref, parseLogonSession, parseTask, ShapeError } from './codec.js';
import { Pipeline, type Success } from './pipeline.js';
import { acceptedUnreadable, createResources, isTaskDocument } from './resources.js';
import { retrySettings } from './retry-policy.js';
import { Session, type Auth, type LogonResult } from './session.js';
import { createTransport } from './transport.js';
import type { ApiCall, CallOptions, ClientEvent, ClientOptions, EmClient } from './types.js';

export { tlsWarning } from './tls.js';

const DEFAULTS = {
  media: 'xml',
  timeoutMs: 30_000,
  maxBodyBytes: 16 * 1024 * 1024,
  idleRenewMs: 600_000,
} as const;

const LOGON: ApiCall = { method: 'POST', path: '/sessionMngr/?v=latest', mutating: false };

export function createClient(options: ClientOptions): EmClient {
  const media = options.media ?? DEFAULTS.media;
  const clock = options.clock ?? systemClock;
  const emit = guardedEmit(options.onEvent);
  const pipeline = buildPipeline(options, media, clock, emit);
  const basic = basicAuth(options.username, options.password);
  const logon = async (): Promise<LogonResult> => readLogonAnswer(await pipeline.run(LOGON, basic));
  const session = new Session({ logon, clock, idleRenewMs: options.idleRenewMs ?? DEFAULTS.idleRenewMs, emit });
  const withSession: Auth = { kind: 'session', session, renew: true };
  const request = (call: ApiCall, callOptions?: CallOptions) => pipeline.run(call, withSession, callOptions);

  return {
    media,
    get sessionEpoch() {
      return session.epoch;
    },
    async logon(callOptions) {
      if (callOptions?.signal?.aborted) throw callOptions.signal.reason;
      await session.current();
    },
    logout: () => logout(pipeline, session, emit),
    encode: (call) => encodeBody(call, media),
    async call<T>(call: ApiCall, callOptions?: CallOptions): Promise<T> {
      return readCallAnswer(call, await request(call, callOptions), callOptions) as T;
    },
    ...createResources(request),
  };
}

/** ClientOptions.onEvent, shielded from its own failures. */
function guardedEmit(onEvent: ClientOptions['onEvent']): (event: ClientEvent) => void {
  return (event) => {
    try {
      onEvent?.(event);
    } catch {
      // A broken progress display must never break an API call (or a failover) midway.
    }
  };
}

function buildPipeline(options: ClientOptions, media: MediaType, clock: Clock, emit: (event: ClientEvent) => void): Pipeline {
  const baseUrl = normalizeBaseUrl(options.url);
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const transport = createTransport({
    baseUrl,
    timeoutMs,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
    clock,
    ...(options.deadlineClock ? { deadlineClock: options.deadlineClock } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
  });
  return new Pipeline({
    transport,
    media,
    clock,
    random: options.random ?? Math.random,
    settings: retrySettings(options.retry),
    timeoutMs,
    emit,
    host: hostAndPort(baseUrl),
    ...(options.waitNoticeMs ? { waitNoticeMs: options.waitNoticeMs } : {}),
  });
}

function basicAuth(username: string, password: string): Auth {
  const credentials = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
  return { kind: 'basic', authorization: `Basic ${credentials}` };
}

/** The token (a header) and the LogonSession id (body, or else the Location header) of a logon answer. */
function readLogonAnswer(success: Success): LogonResult {
  const ctx = { method: LOGON.method, path: LOGON.path, status: success.status };
  // Headers.get is case-insensitive, as EM's header case varies (§2.2).
  const token = success.headers.get('X-RestSvcSessionId');
  if (!token) throw new EmMalformedResponseError(ctx, 'logon answered without an X-RestSvcSessionId header');
  let sessionId: string | undefined;
  if (success.doc?.media === 'xml' && success.doc.root !== 'LogonSession') {
    throw new EmMalformedResponseError(
      { ...ctx, statusText: success.statusText },
      `expected <LogonSession>, got <${success.doc.root ?? ''}>: not an Enterprise Manager logon answer`,
    );
  }
  if (success.doc) {
    try {
      sessionId = parseLogonSession(success.doc.body).sessionId;
    } catch (error) {
      if (!(error instanceof ShapeError)) throw error;
      // No usable body: the Location header names the session as well (§2.1).
    }
  }
  const location = success.headers.get('Location');
  if (!sessionId && location) sessionId = idFromHref(location) || undefined;
  return { token, sessionId };
}

async function logout(pipeline: Pipeline, session: Session, emit: (event: ClientEvent) => void): Promise<void> {
  await session.settled();
  const id = session.sessionId;
  if (!session.active) return;
  if (!id) {
    session.clear();
    emit({ type: 'logout', error: 'EM named no logon session id; the session will expire on its own' });
    return;
  }
  try {
    // No renewal: a 401 here means the session is already gone, which is the goal.
    await pipeline.run(calls.logout(id), { kind: 'session', session, renew: false });
    emit({ type: 'logout' });
  } catch (error) {
    emit({ type: 'logout', error: errorMessage(error) });
  } finally {
    session.clear();
  }
}

/** A generic call's answer: its Task when EM answered one, else the body as EM sent it. */
function readCallAnswer(call: ApiCall, success: Success, callOptions: CallOptions | undefined): unknown {
  if (!isTaskDocument(success.doc) || !success.doc) return success.doc?.body;
  try {
    return parseTask(success.doc.body);
  } catch (error) {
    if (!(error instanceof ShapeError)) throw error;
    if (call.mutating) throw acceptedUnreadable(call, success, callOptions, error.message);
    throw new EmMalformedResponseError({ method: call.method, path: call.path, status: success.status }, error.message);
  }
}

/** `em01:9398` (the scheme's default port when the URL names none). */
function hostAndPort(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol === 'http:' ? '80' : '443')}`;
  } catch {
    return url;
  }
}
