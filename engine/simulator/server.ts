// The simulator over node:http(s) on loopback by default. A handler that throws (a
// connection fault) destroys the socket, as a reset would; a client that goes away aborts
// the Request's signal, so "never answers" faults end with the connection.

import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Reply, SimRequest } from './reply.js';
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

/** Header names as EM spells them: routes write them so; anything lower-case is capitalised. */
const CANONICAL = new Map<string, string>([
  ['x-restsvcsessionid', 'X-RestSvcSessionId'],
  ['www-authenticate', 'WWW-Authenticate'],
]);
function canonical(name: string): string {
  let known = CANONICAL.get(name);
  if (known === undefined) {
    known = name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
    CANONICAL.set(name, known);
  }
  return known;
}

const UTF8 = new TextDecoder();

/**
 * node:http's request as the handler reads it. `signal` is made on first use (only faults
 * that wait use it), and is aborted if the client has gone by then or goes later.
 */
function toSimRequest(req: IncomingMessage, res: ServerResponse, body: Buffer, base: string): SimRequest {
  let controller: AbortController | undefined;
  let gone = false;
  res.on('close', () => {
    if (res.writableFinished) return;
    gone = true;
    controller?.abort(new Error('the client closed the connection'));
  });
  const path = req.url ?? '/';
  const method = req.method ?? 'GET';
  return {
    method,
    // The usual origin-form path appends to the base; anything else (absolute-form) is resolved.
    url: path.startsWith('/') ? base + path : new URL(path, base).href,
    headers: {
      get(name) {
        const value = req.headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
    },
    get signal() {
      if (!controller) {
        controller = new AbortController();
        if (gone) controller.abort(new Error('the client closed the connection'));
      }
      return controller.signal;
    },
    // As Request.text(): UTF-8, a leading BOM dropped. A GET's body is not read.
    text: async () => (method === 'GET' || method === 'HEAD' ? '' : UTF8.decode(body)),
  };
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = {};
  for (const name in reply.headers) headers[canonical(name)] = reply.headers[name] as string;
  const body = reply.body === undefined ? undefined : Buffer.from(reply.body, 'utf8');
  if (reply.status !== 204 && reply.status !== 304) headers['Content-Length'] = String(body?.length ?? 0);
  res.writeHead(reply.status, headers);
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
      sim
        .serve(toSimRequest(req, res, Buffer.concat(chunks), base))
        .then((reply) => send(res, reply))
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
