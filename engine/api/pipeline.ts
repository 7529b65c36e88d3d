// One API call from start to end: session token, send, 401 renewal with one replay,
// retries (p-retry, sleeping on the injected Clock), and the typed error that names
// method, path, status and EM's message. Secrets never enter an error or an event: the
// request headers stay inside this file and the transport.

import pRetry, { AbortError } from 'p-retry';
import type { Clock } from '../clock.js';
import {
  EmAuthError,
  EmHttpError,
  EmMalformedResponseError,
  EmNetworkError,
  EmTimeoutError,
  OutcomeUnknownError,
  type EmErrorContext,
} from '../errors.js';
import type { MediaType } from '../playbook/types.js';
import { encodeBody, CONTENT_TYPE } from './bodies.js';
import { emErrorMessage, type EmDocument } from './document.js';
import {
  demonstrablyNotProcessed,
  isTlsCode,
  parseRetryAfter,
  retryDelay,
  retryReason,
  type Outcome,
  type RetrySettings,
} from './retry-policy.js';
import type { Session } from './session.js';
import { withWaitNotice } from './wait-notice.js';
import type { Exchange, Transport } from './transport.js';
import type { ApiCall, CallOptions, ClientEvent } from './types.js';

/** p-retry's defaults for the options the pipeline leaves alone (see run). */
const P_RETRY_DEFAULTS = {
  maxRetryTime: Number.POSITIVE_INFINITY,
  randomize: false,
  onFailedAttempt: () => undefined,
  shouldConsumeRetry: () => true,
};

export interface PipelineDeps {
  transport: Transport;
  media: MediaType;
  clock: Clock;
  random: () => number;
  settings: RetrySettings;
  timeoutMs: number;
  emit: (event: ClientEvent) => void;
  /** `host:port` of EM, named in errors that never got an answer. */
  host?: string;
  /** See ClientOptions.waitNoticeMs. */
  waitNoticeMs?: number;
}

/** How a call authenticates: with the session token, or with Basic credentials (logon). */
export type Auth = { kind: 'session'; session: Session; renew: boolean } | { kind: 'basic'; authorization: string };

export interface Success {
  status: number;
  statusText: string;
  headers: Headers;
  doc: EmDocument | undefined;
  /** The logon session epoch of the token EM accepted (session auth only). */
  sessionEpoch?: number;
}

/** A retryable failure; becomes its final EmError (with the retry count) if retries run out. */
class Retryable extends Error {
  constructor(
    readonly reason: string,
    readonly retryAfterMs: number | undefined,
    readonly final: (retries: number) => Error,
  ) {
    super(reason);
  }
}

export function createPipeline(deps: PipelineDeps) {
  const headersFor = (call: ApiCall, auth: Auth, token: string | undefined) => {
    const headers: Record<string, string> = { Accept: CONTENT_TYPE[deps.media] };
    const { contentType } = encodeBody(call, deps.media);
    if (contentType) headers['Content-Type'] = contentType;
    if (auth.kind === 'basic') headers.Authorization = auth.authorization;
    else if (token !== undefined) headers['X-RestSvcSessionId'] = token;
    return headers;
  };

  const send = async (call: ApiCall, auth: Auth, token: string | undefined, signal: AbortSignal | undefined) => {
    const { body } = encodeBody(call, deps.media);
    const sent = deps.transport.send({
      method: call.method,
      path: call.path,
      headers: headersFor(call, auth, token),
      ...(body !== undefined ? { body } : {}),
      ...(signal ? { signal } : {}),
    });
    const exchange: Exchange = deps.waitNoticeMs
      ? await withWaitNotice(sent, deps.clock, deps.waitNoticeMs, (waitedMs) =>
          deps.emit({ type: 'waiting', method: call.method, path: call.path, host: deps.host ?? '', waitedMs }),
        )
      : await sent;
    if (exchange.kind === 'response') {
      deps.emit({ type: 'request', method: call.method, path: call.path, status: exchange.status, durationMs: exchange.durationMs });
    }
    return exchange;
  };

  /** Session errors (a failed re-logon) are final here: the logon did its own retries. */
  const sessionToken = async (get: () => Promise<string>) => {
    try {
      return await get();
    } catch (error) {
      throw new AbortError(error instanceof Error ? error : new Error(String(error)));
    }
  };

  const attempt = async (call: ApiCall, auth: Auth, options: CallOptions): Promise<Success> => {
    if (options.signal?.aborted) throw new AbortError(asError(options.signal.reason));
    const session = auth.kind === 'session' ? auth.session : undefined;
    let token = session ? await sessionToken(() => session.current()) : undefined;
    let exchange = await send(call, auth, token, options.signal);
    if (exchange.kind === 'response' && exchange.status === 401 && session && auth.kind === 'session' && auth.renew) {
      // EM checks the token before doing anything (§2.2), so even a failover POST is safe
      // to replay once after a new logon.
      const stale = token as string;
      token = await sessionToken(() => session.renew(stale));
      exchange = await send(call, auth, token, options.signal);
    }
    if (exchange.kind === 'response' && exchange.status !== 401) session?.touch();
    const ctx = context(call, options, exchange);
    if (exchange.kind === 'response' && exchange.status >= 200 && exchange.status < 300) {
      if (exchange.decodeError) {
        // EM accepted a failover (2xx): it IS started, only its Task is lost. Saying
        // "failed" would be false, and re-sending it would fail the VM over twice.
        if (call.mutating) {
          const why = exchange.foreign ? exchange.decodeError : `accepted, but the answer could not be read: ${exchange.decodeError}`;
          throw new AbortError(unknown(ctx, why));
        }
        throw new AbortError(new EmMalformedResponseError(ctx, exchange.decodeError));
      }
      const epoch = session && token !== undefined ? session.epochOf(token) : undefined;
      return {
        status: exchange.status,
        statusText: exchange.statusText,
        headers: exchange.headers,
        doc: exchange.doc,
        ...(epoch !== undefined ? { sessionEpoch: epoch } : {}),
      };
    }
    const reason = retryReason(exchange, call.mutating);
    if (reason !== undefined) {
      const retryAfterMs =
        exchange.kind === 'response' ? parseRetryAfter(exchange.headers.get('retry-after'), deps.clock.now()) : undefined;
      throw new Retryable(reason, retryAfterMs, (retries) => finalError(call, auth, exchange, { ...ctx, retries }));
    }
    throw new AbortError(finalError(call, auth, exchange, ctx));
  };

  const finalError = (call: ApiCall, auth: Auth, outcome: Outcome, answered: EmErrorContext): Error => {
    // No answer: say where we tried (a wrong --server or a dead EM reads at once).
    const unanswered = outcome.kind === 'network' || (outcome.kind === 'timeout' && outcome.status === undefined);
    const ctx = unanswered && deps.host ? { ...answered, host: deps.host } : answered;
    switch (outcome.kind) {
      case 'response': {
        if (outcome.status === 401) {
          return new EmAuthError(
            ctx,
            auth.kind === 'basic'
              ? 'logon refused: check the username and password, and that the account has an Enterprise Manager role'
              : auth.renew
                ? 'session rejected again right after a new logon'
                : 'session not accepted (expired or already logged out)',
          );
        }
        if (call.mutating && [502, 503, 504].includes(outcome.status) && !demonstrablyNotProcessed(outcome)) {
          return unknown(ctx, `a gateway answered ${outcome.status} without an EM error`);
        }
        if (outcome.status >= 300 && outcome.status < 400) {
          const location = outcome.headers.get('location');
          return new EmHttpError(
            ctx,
            `redirected${location ? ` to ${location}` : ''}; Enterprise Manager never redirects API calls: check the URL (a proxy or login portal in the way?)`,
          );
        }
        // A 404 page from a proxy must not read as "no such replica" (resources treat an
        // EmHttpError 404 as not found), nor a proxy's 500 as EM's verdict on a failover.
        if (outcome.foreign && outcome.decodeError) {
          if (call.mutating) return unknown(ctx, outcome.decodeError);
          return new EmMalformedResponseError(ctx, outcome.decodeError);
        }
        return new EmHttpError(ctx);
      }
      case 'network': {
        if (
          call.mutating &&
          !demonstrablyNotProcessed(outcome) &&
          !isTlsCode(outcome.code) &&
          outcome.code !== 'ENOTFOUND' &&
          outcome.code !== 'EAI_AGAIN'
        ) {
          return unknown(ctx, `the connection failed after the request was sent (${outcome.code ?? 'network error'})`);
        }
        const error = new EmNetworkError(ctx, outcome.code);
        if (isTlsCode(outcome.code)) {
          error.message +=
            ': the server certificate is not trusted; set tls.caFile to the EM certificate (PEM), or explicitly tls.insecureSkipVerify';
        }
        return error;
      }
      case 'timeout': {
        const why =
          outcome.status === undefined
            ? `no answer within ${deps.timeoutMs} ms`
            : `the body of the answer did not complete within ${deps.timeoutMs} ms`;
        if (call.mutating) return unknown(ctx, why);
        return new EmTimeoutError(ctx, why);
      }
      case 'aborted': {
        const reason = asError(outcome.reason);
        // Aborted while the request was on the wire: EM may have received it.
        if (call.mutating) return unknown(ctx, 'interrupted while the request was in flight', reason);
        return reason;
      }
    }
  };

  const unknown = (ctx: EmErrorContext, why: string, cause?: Error) =>
    new OutcomeUnknownError(
      ctx,
      `outcome unknown (${why}); EM may have started it, so it is not sent again: check Enterprise Manager before re-running`,
      cause ? { cause } : undefined,
    );

  /** Performs `call` with retries; resolves with the 2xx answer or rejects with a typed error. */
  async function run(call: ApiCall, auth: Auth, options: CallOptions = {}): Promise<Success> {
    const started = deps.clock.now();
    let retries = 0;
    try {
      return await pRetry(() => attempt(call, auth, options), {
        retries: Math.max(0, deps.settings.attempts - 1),
        // p-retry's own sleep is real time: keep it at zero and sleep on the Clock instead.
        minTimeout: 0,
        maxTimeout: 0,
        factor: 1,
        // Its defaults, given: p-retry copies the options and adds each missing one, and on
        // Node 20 a copy that gains properties gets new hidden classes every call.
        ...P_RETRY_DEFAULTS,
        // No `signal` for p-retry: it would throw after a successful answer too, losing the
        // Task of a failover EM accepted. Aborts are checked before each attempt instead.
        shouldRetry: async ({ error }) => {
          if (!(error instanceof Retryable)) return false;
          const delayMs = retryDelay(retries + 1, deps.settings, deps.random, error.retryAfterMs);
          if (deps.clock.now() + delayMs - started > deps.settings.maxTotalMs) return false;
          retries++;
          deps.emit({ type: 'retry', method: call.method, path: call.path, attempt: retries + 1, delayMs, reason: error.reason });
          await deps.clock.sleep(delayMs, options.signal);
          return true;
        },
      });
    } catch (error) {
      if (error instanceof Retryable) throw error.final(retries);
      throw error;
    }
  }

  return { run };
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

function context(call: ApiCall, options: CallOptions, outcome: Outcome): EmErrorContext {
  const ctx: EmErrorContext = { method: call.method, path: call.path };
  if (options.subject !== undefined) ctx.subject = options.subject;
  if (outcome.kind === 'timeout' && outcome.status !== undefined) {
    ctx.status = outcome.status;
    if (outcome.statusText) ctx.statusText = outcome.statusText;
  }
  if (outcome.kind === 'response') {
    ctx.status = outcome.status;
    if (outcome.statusText) ctx.statusText = outcome.statusText;
    const message = emErrorMessage(outcome.doc);
    if (message !== undefined) ctx.emMessage = message;
  }
  return ctx;
}
