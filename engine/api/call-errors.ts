// The typed error a failed call ends with: method, path, status and EM's message, the
// host when nothing answered, and `outcome unknown` whenever EM may have acted on a
// mutating call (never "failed", never re-sent).

import {
  EmAuthError,
  EmHttpError,
  EmMalformedResponseError,
  EmNetworkError,
  EmTimeoutError,
  OutcomeUnknownError,
  type EmErrorContext,
} from '../errors.js';
import { emErrorMessage } from './document.js';
import type { Auth } from './session.js';
import { demonstrablyNotProcessed, isTlsCode, type Outcome } from './retry-policy.js';
import type { ApiCall, CallOptions } from './types.js';

/** Where the call went, for errors that never got an answer. */
export interface CallTarget {
  /** `host:port` of EM. */
  host?: string;
  timeoutMs: number;
}

type ResponseOutcome = Extract<Outcome, { kind: 'response' }>;
type NetworkOutcome = Extract<Outcome, { kind: 'network' }>;

export function outcomeUnknown(ctx: EmErrorContext, why: string, cause?: Error): OutcomeUnknownError {
  return new OutcomeUnknownError(
    ctx,
    `outcome unknown (${why}); EM may have started it, so it is not sent again: check Enterprise Manager before re-running`,
    cause ? { cause } : undefined,
  );
}

/** The error `call` ends with when its last attempt came back as `outcome`. */
export function finalError(call: ApiCall, auth: Auth, outcome: Outcome, answered: EmErrorContext, target: CallTarget): Error {
  // No answer: say where we tried (a wrong --server or a dead EM reads at once).
  const unanswered = outcome.kind === 'network' || (outcome.kind === 'timeout' && outcome.status === undefined);
  const ctx = unanswered && target.host ? { ...answered, host: target.host } : answered;
  switch (outcome.kind) {
    case 'response':
      return responseError(call, auth, outcome, ctx);
    case 'network':
      return networkError(call, outcome, ctx);
    case 'timeout': {
      const why =
        outcome.status === undefined
          ? `no answer within ${target.timeoutMs} ms`
          : `the body of the answer did not complete within ${target.timeoutMs} ms`;
      if (call.mutating) return outcomeUnknown(ctx, why);
      return new EmTimeoutError(ctx, why);
    }
    case 'aborted': {
      const reason = asError(outcome.reason);
      // Aborted while the request was on the wire: EM may have received it.
      if (call.mutating) return outcomeUnknown(ctx, 'interrupted while the request was in flight', reason);
      return reason;
    }
  }
}

function responseError(call: ApiCall, auth: Auth, outcome: ResponseOutcome, ctx: EmErrorContext): Error {
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
    return outcomeUnknown(ctx, `a gateway answered ${outcome.status} without an EM error`);
  }
  if (outcome.status >= 300 && outcome.status < 400) {
    const location = outcome.headers.get('location');
    return new EmHttpError(
      ctx,
      `redirected${location ? ` to ${location}` : ''}; Enterprise Manager never redirects API calls: ` +
        'check the URL (a proxy or login portal in the way?)',
    );
  }
  // A 404 page from a proxy must not read as "no such replica" (resources treat an
  // EmHttpError 404 as not found), nor a proxy's 500 as EM's verdict on a failover.
  if (outcome.foreign && outcome.decodeError) {
    if (call.mutating) return outcomeUnknown(ctx, outcome.decodeError);
    return new EmMalformedResponseError(ctx, outcome.decodeError);
  }
  return new EmHttpError(ctx);
}

function networkError(call: ApiCall, outcome: NetworkOutcome, ctx: EmErrorContext): Error {
  const tls = isTlsCode(outcome.code);
  // A refused certificate or an unknown host name: the request never left, so it is safe to say it failed.
  const neverSent = tls || outcome.code === 'ENOTFOUND' || outcome.code === 'EAI_AGAIN';
  if (call.mutating && !demonstrablyNotProcessed(outcome) && !neverSent) {
    return outcomeUnknown(ctx, `the connection failed after the request was sent (${outcome.code ?? 'network error'})`);
  }
  const error = new EmNetworkError(ctx, outcome.code);
  if (tls) {
    error.message +=
      ': the server certificate is not trusted; set tls.caFile to the EM certificate (PEM), ' + 'or explicitly tls.insecureSkipVerify';
  }
  return error;
}

/** Method, path, subject, status and EM's message of an attempt, for its error. */
export function errorContext(call: ApiCall, options: CallOptions, outcome: Outcome): EmErrorContext {
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

export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
