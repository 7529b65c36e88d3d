// One API call from start to end: session token, send, 401 renewal with one replay,
// retries (p-retry, sleeping on the injected Clock), and the typed error it ends with
// (built in call-errors.ts). Secrets never enter an error or an event: the request
// headers stay inside this file and the transport.

import pRetry, { AbortError } from 'p-retry';
import type { Clock } from '../clock.js';
import { EmMalformedResponseError } from '../errors.js';
import type { MediaType } from '../playbook/types.js';
import { encodeBody, CONTENT_TYPE } from './bodies.js';
import { asError, errorContext, finalError, outcomeUnknown } from './call-errors.js';
import type { EmDocument } from './document.js';
import { parseRetryAfter, retryDelay, retryReason, type RetrySettings } from './retry-policy.js';
import type { Auth } from './session.js';
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

/** Sends calls through the transport with the session's token, renewal and retries. */
export class Pipeline {
  constructor(private readonly deps: PipelineDeps) {}

  /** Performs `call` with retries; resolves with the 2xx answer or rejects with a typed error. */
  async run(call: ApiCall, auth: Auth, options: CallOptions = {}): Promise<Success> {
    const { clock, settings } = this.deps;
    const started = clock.now();
    let retries = 0;
    try {
      return await pRetry(() => this.attempt(call, auth, options), {
        retries: Math.max(0, settings.attempts - 1),
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
          const delayMs = retryDelay(retries + 1, settings, this.deps.random, error.retryAfterMs);
          if (clock.now() + delayMs - started > settings.maxTotalMs) return false;
          retries++;
          const { method, path } = call;
          this.deps.emit({ type: 'retry', method, path, attempt: retries + 1, delayMs, reason: error.reason });
          await clock.sleep(delayMs, options.signal);
          return true;
        },
      });
    } catch (error) {
      if (error instanceof Retryable) throw error.final(retries);
      throw error;
    }
  }

  /** One try: a 2xx answer, a Retryable, or an AbortError carrying the final error. */
  private async attempt(call: ApiCall, auth: Auth, options: CallOptions): Promise<Success> {
    if (options.signal?.aborted) throw new AbortError(asError(options.signal.reason));
    const session = auth.kind === 'session' ? auth.session : undefined;
    let token = session ? await sessionToken(() => session.current()) : undefined;
    let exchange = await this.send(call, auth, token, options.signal);
    if (exchange.kind === 'response' && exchange.status === 401 && session && auth.kind === 'session' && auth.renew) {
      // EM checks the token before doing anything (§2.2), so even a failover POST is safe
      // to replay once after a new logon.
      const stale = token as string;
      token = await sessionToken(() => session.renew(stale));
      exchange = await this.send(call, auth, token, options.signal);
    }
    if (exchange.kind === 'response' && exchange.status !== 401) session?.touch();
    const ctx = errorContext(call, options, exchange);
    if (exchange.kind === 'response' && exchange.status >= 200 && exchange.status < 300) {
      if (exchange.decodeError) {
        // EM accepted a failover (2xx): it IS started, only its Task is lost. Saying
        // "failed" would be false, and re-sending it would fail the VM over twice.
        if (call.mutating) {
          const why = exchange.foreign ? exchange.decodeError : `accepted, but the answer could not be read: ${exchange.decodeError}`;
          throw new AbortError(outcomeUnknown(ctx, why));
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
        exchange.kind === 'response' ? parseRetryAfter(exchange.headers.get('retry-after'), this.deps.clock.now()) : undefined;
      throw new Retryable(reason, retryAfterMs, (retries) => finalError(call, auth, exchange, { ...ctx, retries }, this.deps));
    }
    throw new AbortError(finalError(call, auth, exchange, ctx, this.deps));
  }

  private async send(call: ApiCall, auth: Auth, token: string | undefined, signal: AbortSignal | undefined): Promise<Exchange> {
    const { transport, clock, waitNoticeMs, emit } = this.deps;
    const { method, path } = call;
    const { body, contentType } = encodeBody(call, this.deps.media);
    const sent = transport.send({
      method,
      path,
      headers: this.headersFor(auth, token, contentType),
      ...(body !== undefined ? { body } : {}),
      ...(signal ? { signal } : {}),
    });
    // A silent EM says so every few seconds, naming the host (see ClientOptions.waitNoticeMs).
    const exchange = waitNoticeMs
      ? await withWaitNotice(sent, clock, waitNoticeMs, (waitedMs) =>
          emit({ type: 'waiting', method, path, host: this.deps.host ?? '', waitedMs }),
        )
      : await sent;
    if (exchange.kind === 'response') {
      emit({ type: 'request', method, path, status: exchange.status, durationMs: exchange.durationMs });
    }
    return exchange;
  }

  private headersFor(auth: Auth, token: string | undefined, contentType: string | undefined): Record<string, string> {
    const headers: Record<string, string> = { Accept: CONTENT_TYPE[this.deps.media] };
    if (contentType) headers['Content-Type'] = contentType;
    if (auth.kind === 'basic') headers.Authorization = auth.authorization;
    else if (token !== undefined) headers['X-RestSvcSessionId'] = token;
    return headers;
  }
}

/** Session errors (a failed re-logon) are final here: the logon did its own retries. */
async function sessionToken(get: () => Promise<string>): Promise<string> {
  try {
    return await get();
  } catch (error) {
    throw new AbortError(asError(error));
  }
}
