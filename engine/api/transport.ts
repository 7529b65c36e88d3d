// One HTTP exchange through fetch (Node's, or an injected one: tests hand in the
// simulator's handler), turned into an Outcome the retry policy can judge. Retries belong
// to p-retry in pipeline.ts, and no status throws: every status is classified here.
//
// Why fetch and not ky (the house's first choice): measured on loopback with 200 requests
// in flight, ky 1.14 with a per-request signal costs ~0.64 ms of CPU per request against
// ~0.21 ms for the same fetch call (ky wraps the signal, clones the Request and walks its
// options on every call). At 3+ requests per VM that was ~1.2 ms of engine CPU per VM,
// more than the whole 1 ms budget. We used none of ky's features that fetch lacks: retry,
// timeout and HTTP errors were off; `prefixUrl` is a string join.

import { STATUS_CODES } from 'node:http';
import type { Clock } from '../clock.js';
import { formatBytes, readBody } from './body-reader.js';
import { decodeDocument, isEmMediaType } from './document.js';
import { stripBom } from './json.js';
import type { Outcome } from './retry-policy.js';
import { createDispatcher } from './tls.js';
import type { ClientOptions } from './types.js';

export interface WireRequest {
  method: string;
  /** API-relative, starting with `/`, query included. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export type Exchange = Outcome & { durationMs: number };

export interface Transport {
  send(request: WireRequest): Promise<Exchange>;
}

export interface TransportOptions {
  baseUrl: string;
  timeoutMs: number;
  /** Body size cap: past it the body is not read further (EM's bodies are kilobytes). */
  maxBodyBytes: number;
  clock: Clock;
  fetch?: typeof fetch;
  tls?: ClientOptions['tls'];
}

export function createTransport(options: TransportOptions): Transport {
  const fetchFn = options.fetch ?? fetch;
  // undici's Agent (custom CA, or verification off): made once, on the first request.
  let dispatcher: Promise<object | undefined> | undefined;
  return {
    async send(request) {
      const init = await (dispatcher ??= createDispatcher(options.tls));
      const started = options.clock.now();
      const outcome = await attempt(fetchFn, init, request, options);
      return { ...outcome, durationMs: options.clock.now() - started };
    },
  };
}

async function attempt(fetchFn: typeof fetch, dispatcher: object | undefined, request: WireRequest, options: TransportOptions): Promise<Outcome> {
  // One deadline for the whole exchange, body included (a body that stalls after the
  // headers would otherwise hang forever). Real time, not the Clock: a FakeClock in auto
  // mode jumps ahead whenever the process waits on I/O, which would time out every real
  // request. A ref'd timer, unlike AbortSignal.timeout's: an in-process fetch (the
  // simulator) holds no socket, and the process must not drain and exit while a request
  // is pending. The caller's signal aborts the same controller (cheaper than
  // AbortSignal.any, which this hot path would pay on every request).
  const timer = new AbortController();
  const signal = timer.signal;
  const handle = setTimeout(() => timer.abort(new DOMException('request timed out', 'TimeoutError')), options.timeoutMs);
  const caller = request.signal;
  const onCallerAbort = () => timer.abort(caller?.reason);
  if (caller?.aborted) onCallerAbort();
  else caller?.addEventListener('abort', onCallerAbort, { once: true });
  let answered: { status: number; statusText: string } | undefined;
  try {
    const init: RequestInit = {
      method: request.method,
      headers: request.headers,
      signal,
      // EM never redirects an API call: a 3xx is a proxy or portal, reported (not followed,
      // which re-sends a failover POST to wherever it points, up to 20 times).
      redirect: 'manual',
    };
    if (request.body !== undefined) init.body = request.body;
    // Node's fetch takes undici's dispatcher as an extra option (LIBRARIES.md §2).
    if (dispatcher) Object.assign(init, { dispatcher });
    const response = await fetchFn(options.baseUrl + request.path.replace(/^\//, ''), init);
    // HTTP/2 and some servers send no reason phrase; messages read better with the standard one.
    const statusText = response.statusText || STATUS_CODES[response.status] || '';
    answered = { status: response.status, statusText };
    const base = { kind: 'response' as const, status: response.status, statusText, headers: response.headers };
    const read = await readBody(response, signal, options.maxBodyBytes);
    if (read.kind === 'too-large') {
      return { ...base, doc: undefined, decodeError: `response body larger than ${formatBytes(read.limitBytes)}` };
    }
    const contentType = response.headers.get('content-type');
    // An empty body needs no type (204, DELETE); any other must be EM's XML or JSON.
    if (stripBom(read.text).trim() !== '' && !isEmMediaType(contentType)) {
      const type = contentType === null ? 'no Content-Type' : `Content-Type "${contentType}"`;
      return { ...base, doc: undefined, foreign: true, decodeError: `not an Enterprise Manager answer (${type}); a proxy or login portal in the way?` };
    }
    try {
      return { ...base, doc: decodeDocument(read.text) };
    } catch (error) {
      return { ...base, doc: undefined, decodeError: error instanceof Error ? error.message : String(error) };
    }
  } catch (error) {
    if (caller?.aborted) return { kind: 'aborted', reason: caller.reason };
    const timedOut = signal.aborted || isAbortLike(error);
    if (timedOut) return { kind: 'timeout', ...answered };
    return { kind: 'network', code: networkCode(error) };
  } finally {
    clearTimeout(handle);
    caller?.removeEventListener('abort', onCallerAbort);
  }
}

function isAbortLike(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** `ECONNREFUSED`, `ECONNRESET`, `UNABLE_TO_VERIFY_LEAF_SIGNATURE`, … from undici's cause chain. */
export function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
