// When to send a request again, and how long to wait. Pure functions: the pipeline feeds
// them attempt outcomes and a Clock; tests feed them tables.
//
// The never-twice rule: a mutating POST (failover, plan start/undo) is re-sent only when
// EM demonstrably did not process it: the connection was refused, or EM itself answered
// 503 with its Error body (overload/maintenance, §3). 401 is handled by the session layer
// (EM rejects the token before doing anything). Everything else is final for it.

import type { EmDocument } from './document.js';
import { isEmError } from './document.js';
import type { ClientOptions } from './types.js';
import { backoffDelay } from '../backoff.js';

export interface RetrySettings {
  attempts: number;
  minDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
  maxTotalMs: number;
}

export const RETRY_DEFAULTS: RetrySettings = {
  attempts: 5,
  minDelayMs: 500,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 30_000,
  maxTotalMs: 120_000,
};

export function retrySettings(options: ClientOptions['retry']): RetrySettings {
  return { ...RETRY_DEFAULTS, ...Object.fromEntries(Object.entries(options ?? {}).filter(([, v]) => v !== undefined)) };
}

/** What one attempt produced, before any error is built. */
export type Outcome =
  | {
      kind: 'response';
      status: number;
      statusText: string;
      headers: Headers;
      doc: EmDocument | undefined;
      /** Why the body could not be read (then `doc` is undefined). */
      decodeError?: string;
      /** The body is not EM's (HTML from a proxy, …): `decodeError` says which type. */
      foreign?: boolean;
    }
  | { kind: 'network'; code: string | undefined }
  /** `status` set when the headers came but the body did not complete in time. */
  | { kind: 'timeout'; status?: number; statusText?: string }
  | { kind: 'aborted'; reason: unknown };

/** Codes meaning the request never reached EM's HTTP layer. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/** Certificate problems: permanent until the configuration changes, never retried. */
export function isTlsCode(code: string | undefined): boolean {
  if (!code) return false;
  return /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS|ERR_SSL/.test(code) && !NOT_SENT_CODES.has(code);
}

/** True when EM cannot have processed the request (a mutating POST may be re-sent). */
export function demonstrablyNotProcessed(outcome: Outcome): boolean {
  if (outcome.kind === 'network') return outcome.code === 'ECONNREFUSED';
  if (outcome.kind === 'response') return outcome.status === 503 && isEmError(outcome.doc);
  return false;
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

/** Should this outcome be retried? Returns the reason shown in progress, or undefined. */
export function retryReason(outcome: Outcome, mutating: boolean): string | undefined {
  if (mutating) {
    if (!demonstrablyNotProcessed(outcome)) return undefined;
  }
  switch (outcome.kind) {
    case 'response':
      return RETRYABLE_STATUS.has(outcome.status) ? `${outcome.status} ${outcome.statusText}`.trim() : undefined;
    case 'network':
      return isTlsCode(outcome.code) ? undefined : (outcome.code ?? 'network error');
    case 'timeout':
      return 'timeout';
    case 'aborted':
      return undefined;
  }
}

/** Retry-After in ms (seconds or an HTTP date), or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Delay before retry number `retry` (1-based): exponential from minDelayMs, capped at
 * maxDelayMs, with "equal jitter" (half fixed, half random) so concurrent clients spread
 * out without ever retrying immediately. A Retry-After, when given, wins (capped).
 */
export function retryDelay(retry: number, settings: RetrySettings, random: () => number, retryAfterMs: number | undefined): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, settings.maxRetryAfterMs);
  return backoffDelay(retry, settings.minDelayMs, settings.maxDelayMs, random);
}
