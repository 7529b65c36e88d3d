// One HTTP exchange through ky, turned into an Outcome the retry policy can judge.
// ky's own retry is off (p-retry in pipeline.ts owns retries; stacking multiplies them)
// and HTTP errors are not thrown: every status is classified here, in one place.

import { STATUS_CODES } from 'node:http';
import ky, { TimeoutError, type KyInstance, type Options } from 'ky';
import { SignalFanOut } from '../abort.js';
import type { Clock } from '../clock.js';
import { formatBytes, readBody } from './body-reader.js';
import { decodeDocument, isEmMediaType, type EmDocument } from './document.js';
import { stripBom } from './json.js';
import type { Outcome } from './retry-policy.js';
import { createNodeFetch } from './node-fetch.js';
import { agentTls, usesTls } from './tls.js';
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
  /** The clock of the request deadline (ClientOptions.deadlineClock). @default systemClock */
  deadlineClock?: Clock;
  fetch?: typeof fetch;
  tls?: ClientOptions['tls'];
}

export function createTransport(options: TransportOptions): Transport {
  let instance: Promise<KyInstance> | undefined;
  const kyInstance = () =>
    (instance ??= (async () => {
      // Tests and the embedded simulator inject a fetch; on the network, node:http (node-fetch.ts).
      const fetch = options.fetch ?? createNodeFetch({ tls: usesTls(options.baseUrl) ? await agentTls(options.tls) : undefined });
      return ky.create({
        prefixUrl: options.baseUrl,
        // The deadline is ours (one AbortSignal for fetch and body, see attempt).
        timeout: false,
        retry: 0,
        throwHttpErrors: false,
        fetch,
      });
    })());

  let ready: KyInstance | undefined;
  const fanOut = new SignalFanOut();
  return {
    async send(request) {
      // Once created, the instance is used as is (no promise to await per request).
      ready ??= await kyInstance();
      const client = ready;
      const started = options.clock.now();
      const outcome = await attempt(client, request, options, fanOut);
      return { ...outcome, durationMs: options.clock.now() - started };
    },
  };
}

async function attempt(client: KyInstance, request: WireRequest, options: TransportOptions, fanOut: SignalFanOut): Promise<Outcome> {
  // One deadline for the whole exchange, body included: ky's own timeout ends when the
  // headers arrive, and a body that stalls after them would otherwise hang forever.
  // Real time by default (ClientOptions.deadlineClock says why); the timer is ref'd, so the
  // process does not drain and exit while an in-process fetch is pending.
  // One controller per request: the deadline aborts it, and so does the caller's signal
  // (through the fan-out: usually the run's, shared by every request in flight).
  const controller = new AbortController();
  let timedOut = false;
  const cancelDeadline = startDeadline(options, () => {
    timedOut = true;
    controller.abort(new DOMException('request timed out', 'TimeoutError'));
  });
  const unfollow = request.signal ? fanOut.follow(request.signal, controller) : undefined;
  const signal = controller.signal;
  let answered: { status: number; statusText: string } | undefined;
  try {
    const init: Options = {
      method: request.method,
      headers: request.headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
      // EM never redirects an API call: a 3xx is a proxy or portal, reported (not followed,
      // which re-sends a failover POST to wherever it points, up to 20 times).
      redirect: 'manual',
      signal,
    };
    const response = await client(request.path.replace(/^\//, ''), init);
    // HTTP/2 and some servers send no reason phrase; messages read better with the standard one.
    const statusText = response.statusText || STATUS_CODES[response.status] || '';
    answered = { status: response.status, statusText };
    const headers = response.headers;
    const answer = (doc: EmDocument | undefined, decodeError?: string, foreign?: true): Outcome => {
      const outcome: Extract<Outcome, { kind: 'response' }> = { kind: 'response', status: response.status, statusText, headers, doc };
      if (decodeError !== undefined) outcome.decodeError = decodeError;
      if (foreign) outcome.foreign = true;
      return outcome;
    };
    const read = await readBody(response, signal, options.maxBodyBytes);
    if (read.kind === 'too-large') {
      return answer(undefined, `response body larger than ${formatBytes(read.limitBytes)}`);
    }
    const contentType = headers.get('content-type');
    // An empty body needs no type (204, DELETE); any other must be EM's XML or JSON.
    if (stripBom(read.text).trim() !== '' && !isEmMediaType(contentType)) {
      const type = contentType === null ? 'no Content-Type' : `Content-Type "${contentType}"`;
      return answer(undefined, `not an Enterprise Manager answer (${type}); a proxy or login portal in the way?`, true);
    }
    try {
      return answer(decodeDocument(read.text));
    } catch (error) {
      return answer(undefined, error instanceof Error ? error.message : String(error));
    }
  } catch (error) {
    if (request.signal?.aborted) return { kind: 'aborted', reason: request.signal.reason };
    if (timedOut || error instanceof TimeoutError || isAbortLike(error)) return { kind: 'timeout', ...answered };
    return { kind: 'network', code: networkCode(error) };
  } finally {
    cancelDeadline();
    unfollow?.();
  }
}

/** Calls `onTimeout` after `timeoutMs` on the deadline clock; returns the cancel. */
function startDeadline(options: TransportOptions, onTimeout: () => void): () => void {
  if (!options.deadlineClock) {
    const handle = setTimeout(onTimeout, options.timeoutMs);
    return () => clearTimeout(handle);
  }
  const cancel = new AbortController();
  options.deadlineClock.sleep(options.timeoutMs, cancel.signal).then(onTimeout, () => undefined);
  return () => cancel.abort(DEADLINE_MET);
}

/** The reason a met deadline's sleep is cancelled with (a constant: no DOMException per request). */
const DEADLINE_MET = new Error('answered in time');

function isAbortLike(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** `ECONNREFUSED`, `ECONNRESET`, `UNABLE_TO_VERIFY_LEAF_SIGNATURE`, … from the error or its cause chain. */
export function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
