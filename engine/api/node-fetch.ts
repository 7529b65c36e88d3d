// ky's `fetch` on the network: node:http(s), as the global fetch takes no CA list or agent without undici.
// A plain fetch: the signal and the body come on ky's Request; the transport reads the body (body-reader.ts).

import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

export interface NodeFetchOptions {
  /** Certificate authorities (replacing Node's roots: pass them along), or verification off. */
  tls?: { ca?: string[]; rejectUnauthorized: boolean } | undefined;
}

// Idle sockets close after 4 s unless the server's Keep-Alive hint is shorter (Node
// subtracts a safety margin from it): reusing a socket the server is closing makes a
// request fail with ECONNRESET, and for a failover POST that is an unknown outcome.
const IDLE_SOCKET_MS = 4_000;

export function createNodeFetch(options: NodeFetchOptions): typeof fetch {
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
    const url = target(input.url);
    const headers: Record<string, string> = {};
    for (const [name, value] of input.headers) headers[name] = value;
    const body = input.body === null ? undefined : Buffer.from(await input.arrayBuffer());
    if (body !== undefined) headers['content-length'] = String(body.byteLength);
    const signal = input.signal;
    signal.throwIfAborted();
    const secure = url.protocol === 'https:';
    return new Promise((resolve, reject) => {
      // An abort rejects with the signal's reason, as fetch does (the transport tells a
      // deadline from a run abort by which signal fired).
      const fail = (error: unknown) => reject(signal.aborted ? signal.reason : error);
      const send = secure ? httpsRequest : httpRequest;
      const req = send(url, { method: input.method, headers, agent: secure ? https : http, signal }, (res) => {
        const status = res.statusCode ?? 0;
        // fetch's Response takes 200–599 only; anything else is not HTTP as EM speaks it.
        if (status < 200 || status > 599) {
          fail(Object.assign(new Error(`invalid HTTP status ${status}`), { code: 'EPROTO' }));
          res.destroy();
          return;
        }
        const init = { status, statusText: res.statusMessage ?? '', headers: headerList(res) };
        if (NULL_BODY_STATUS.has(status)) {
          res.resume();
          resolve(new Response(null, init));
        } else {
          resolve(new Response(Readable.toWeb(res) as ReadableStream<Uint8Array>, init));
        }
      });
      req.on('error', fail);
      req.end(body);
    });
  };
}

/** Statuses whose Response may not have a body (fetch's own rule). */
const NULL_BODY_STATUS = new Set([204, 205, 304]);

function target(href: string): URL {
  const url = new URL(href);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`unsupported protocol ${url.protocol}`);
  // node:http would send them as Basic auth; the session header is the only credential.
  if (url.username || url.password) throw new TypeError('credentials in a request URL are not sent');
  return url;
}

/** Response headers as fetch sees them; repeated ones (Set-Cookie, …) kept apart. */
function headerList(res: IncomingMessage): [string, string][] {
  const raw = res.rawHeaders;
  const list: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) list.push([raw[i]!, raw[i + 1]!]);
  return list;
}
