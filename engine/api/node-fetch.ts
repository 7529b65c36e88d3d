// ky's `fetch`, over node:http(s) with one keep-alive agent. ky stays the client (it builds
// and normalizes the Request); this only moves bytes. Why not the global fetch: undici's
// fetch costs ~0.2 ms CPU per request and a trail of stream/signal objects that outlive
// young-generation GCs, i.e. most of the engine's CPU and peak memory at 10,000 VMs
// (README "Performance"). node:http does the same exchange for ~0.06 ms.
//
// The body is read here, under the size cap and the request's signal, and handed to the
// transport with the Response (BODY below), so no web stream is built for it.

import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** What the node fetch read: the body text, or that it passed the cap (then not read on). */
export type BufferedBody = { kind: 'text'; text: string } | { kind: 'too-large'; limitBytes: number };

/** The body of a Response made by the node fetch; readBody is skipped for these. */
export const BODY = Symbol('cdp-runbook.body');
export type NodeFetchResponse = Response & { [BODY]: BufferedBody };

/**
 * What the transport hands this fetch past ky's Request: ky passes the options it does not
 * know on to `fetch` (as it does undici's `dispatcher`). Given to ky, the signal costs an
 * AbortSignal.any and a followed signal in the Request and again in its clone; a body read
 * back from the Request costs a stream read and, when ky cancels the consumed stream, an
 * error with a stack trace. The Request still carries the same body (ky and its hooks see
 * the real request); this is the same text, not a second one.
 */
export const WIRE = 'cdpRunbookWire';
export interface WireExtras {
  signal: AbortSignal;
  /** Exactly the text given to ky as `body`. */
  body?: string;
}
export type WireInit = { [WIRE]?: WireExtras };

function wireExtras(init: RequestInit | undefined): WireExtras | undefined {
  return (init as WireInit | undefined)?.[WIRE];
}

/** An injected fetch (tests, the embedded simulator) gets the signal the standard way, on the Request. */
export function standardFetch(inner: typeof fetch): typeof fetch {
  return (resource, init) => {
    const extras = wireExtras(init);
    return extras && resource instanceof Request ? inner(new Request(resource, { signal: extras.signal })) : inner(resource, init);
  };
}

export interface NodeFetchOptions {
  maxBodyBytes: number;
  /** Certificate authorities (replacing Node's roots: pass them along), or verification off. */
  tls?: { ca?: string[]; rejectUnauthorized: boolean } | undefined;
}

// Idle sockets close after 4 s unless the server's Keep-Alive hint is shorter (Node
// subtracts a safety margin from it): reusing a socket the server is closing makes a
// request fail with ECONNRESET, and for a failover POST that is an unknown outcome.
const IDLE_SOCKET_MS = 4_000;

export function createNodeFetch(options: NodeFetchOptions): typeof fetch {
  const targets = new Targets();
  const common = { keepAlive: true, scheduling: 'lifo' as const, timeout: IDLE_SOCKET_MS };
  const http = new HttpAgent(common);
  const https = new HttpsAgent({
    ...common,
    rejectUnauthorized: options.tls?.rejectUnauthorized ?? true,
    ...(options.tls?.ca ? { ca: options.tls.ca } : {}),
  });
  return async (resource: string | URL | Request, init?: RequestInit): Promise<Response> => {
    // ky always passes a Request; anything else is made one, as fetch would.
    const input = resource instanceof Request ? resource : new Request(resource, init);
    const extras = wireExtras(init);
    const target = targets.of(input.url);
    const headers: Record<string, string> = {};
    for (const [name, value] of input.headers) headers[name] = value;
    const body =
      input.body === null ? undefined : extras?.body !== undefined ? Buffer.from(extras.body, 'utf8') : Buffer.from(await input.arrayBuffer());
    if (body !== undefined) headers['content-length'] = String(body.byteLength);
    const signal = extras?.signal ?? input.signal;
    signal.throwIfAborted();
    const secure = target.protocol === 'https:';
    return new Promise((resolve, reject) => {
      const send = secure ? httpsRequest : httpRequest;
      // Settled once: destroying a socket past the cap makes the request emit an error
      // afterwards (on nextTick, before any promise reaction), which must not win.
      let settled = false;
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        reject(signal.aborted ? signal.reason : error);
      };
      const { protocol, hostname, port, path } = target;
      const req = send({ protocol, hostname, port, path, method: input.method, headers, agent: secure ? https : http, signal }, (res) => {
        const status = res.statusCode ?? 0;
        // fetch's Response takes 200–599 only; anything else is not HTTP as EM speaks it.
        if (status < 200 || status > 599) {
          fail(Object.assign(new Error(`invalid HTTP status ${status}`), { code: 'EPROTO' }));
          res.destroy();
          return;
        }
        readResponse(res, options.maxBodyBytes, fail, (read) => {
          if (settled) return;
          settled = true;
          const response = new Response(null, { status, statusText: res.statusMessage ?? '', headers: headerList(res) }) as NodeFetchResponse;
          response[BODY] = read;
          resolve(response);
        });
      });
      // An abort rejects with the signal's reason, as fetch does (the transport tells a
      // deadline from a run abort by which signal fired).
      req.on('error', fail);
      req.end(body);
    });
  };
}

function readResponse(res: IncomingMessage, maxBytes: number, fail: (error: unknown) => void, done: (read: BufferedBody) => void): void {
  const tooLarge = () => {
    done({ kind: 'too-large', limitBytes: maxBytes });
    res.destroy();
  };
  const declared = Number(res.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) return tooLarge();
  const chunks: Buffer[] = [];
  let total = 0;
  res.on('data', (chunk: Buffer) => {
    total += chunk.byteLength;
    if (total > maxBytes) return tooLarge();
    chunks.push(chunk);
  });
  res.on('end', () => {
    // Same decoding as response.text(): UTF-8, a leading BOM dropped, bad bytes replaced.
    const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    done({ kind: 'text', text: UTF8.decode(bytes) });
  });
  // A socket closed mid-body, or the signal aborting it.
  res.on('error', fail);
  res.on('aborted', () => fail(Object.assign(new Error('connection closed before the body was complete'), { code: 'ECONNRESET' })));
}

const UTF8 = new TextDecoder();

interface Target {
  protocol: 'http:' | 'https:';
  hostname: string;
  port: string;
  path: string;
}

/**
 * URL → node:http options, with the origin parsed once: every request of a run goes to the
 * same EM, and `new URL` plus node's URL-to-options conversion cost more than the rest of
 * building the request.
 */
export class Targets {
  private readonly origins = new Map<string, Omit<Target, 'path'>>();

  of(href: string): Target {
    const start = href.indexOf('//');
    const slash = start < 0 ? -1 : href.indexOf('/', start + 2);
    if (slash < 0) return this.parse(href);
    let origin = this.origins.get(href.slice(0, slash));
    if (!origin) {
      const { path: _, ...parsed } = this.parse(href);
      if (this.origins.size >= 16) this.origins.clear();
      this.origins.set(href.slice(0, slash), parsed);
      origin = parsed;
    }
    const hash = href.indexOf('#', slash);
    // Fields named, not spread: see transport.ts on spreads in hot paths.
    return { protocol: origin.protocol, hostname: origin.hostname, port: origin.port, path: hash < 0 ? href.slice(slash) : href.slice(slash, hash) };
  }

  private parse(href: string): Target {
    const url = new URL(href);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`unsupported protocol ${url.protocol}`);
    if (url.username || url.password) throw new TypeError('credentials in a request URL are not sent');
    // node:http wants an IPv6 literal without its brackets.
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    return { protocol: url.protocol, hostname, port: url.port, path: url.pathname + url.search };
  }
}

/** Response headers as fetch sees them; repeated ones (Set-Cookie, …) kept apart. */
function headerList(res: IncomingMessage): [string, string][] {
  const raw = res.rawHeaders;
  const list: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) list.push([raw[i]!, raw[i + 1]!]);
  return list;
}
