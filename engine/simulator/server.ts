// The simulator over node:http(s) on loopback by default. A handler that throws (a
// connection fault) destroys the socket, as a reset would; a client that goes away aborts
// the Request's signal, so "never answers" faults end with the connection.

import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { BODY_TEXT, type SimResponse } from './context.js';
import type { Simulator } from './types.js';

export interface ServerOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @default 9398 */
  port?: number;
  /** Serve HTTPS with a self-signed certificate made at start. @default false */
  tls?: boolean;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
  /** With `tls`: the self-signed certificate, to trust as a CA (`caFile`). */
  caPem?: string;
}

// Header names as EM spells them (Headers lower-cases everything).
const CANONICAL: Record<string, string> = { 'x-restsvcsessionid': 'X-RestSvcSessionId', 'www-authenticate': 'WWW-Authenticate' };
const canonical = (name: string) => CANONICAL[name] ?? name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());

function toRequest(req: IncomingMessage, body: Buffer, base: string, signal: AbortSignal): Request {
  const headers: [string, string][] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string]);
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD' && body.length > 0;
  const path = req.url ?? '/';
  // The usual origin-form path appends to the base; anything else (absolute-form) is resolved.
  const url = path.startsWith('/') ? base + path : new URL(path, base);
  return new Request(url, { method, headers, signal, ...(hasBody ? { body } : {}) });
}

async function send(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[canonical(name)] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['Set-Cookie'] = cookies;
  const text = (response as SimResponse)[BODY_TEXT];
  const body = text !== undefined ? Buffer.from(text, 'utf8') : Buffer.from(await response.arrayBuffer());
  if (response.status !== 204 && response.status !== 304) headers['Content-Length'] = String(body.length);
  res.writeHead(response.status, headers);
  res.end(body);
}

async function selfSigned(host: string): Promise<{ key: string; cert: string }> {
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
          ...(host !== 'localhost' && host !== '127.0.0.1' && host !== '::1' && host !== '0.0.0.0' && host !== '::'
            ? [/^[\d.]+$|:/.test(host) ? { type: 7 as const, ip: host } : { type: 2 as const, value: host }]
            : []),
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

export async function startSimulatorServer(sim: Simulator, options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  let base = 'http://localhost';
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const controller = new AbortController();
      res.on('close', () => {
        if (!res.writableFinished) controller.abort(new Error('the client closed the connection'));
      });
      sim
        .handle(toRequest(req, Buffer.concat(chunks), base, controller.signal))
        .then((response) => send(res, response))
        .catch(() => {
          // A connection fault (or the client went away): no response, the socket is reset.
          req.socket.destroy();
        });
    });
  };
  let server: Server;
  let caPem: string | undefined;
  if (options.tls) {
    const pems = await selfSigned(host);
    caPem = pems.cert;
    server = createHttpsServer({ key: pems.key, cert: pems.cert }, listener);
  } else {
    server = createHttpServer(listener);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 9398, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const url = `${options.tls ? 'https' : 'http'}://${urlHost}:${port}`;
  base = url;
  sim.setBaseUrl(url);
  return {
    url,
    ...(caPem ? { caPem } : {}),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
