// A hostile "Enterprise Manager" on 127.0.0.1: each mode answers every request badly in
// one way. It counts requests and bytes written, never listens beyond loopback, and
// destroys every socket on close so a test never leaves it running.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type HostileMode = 'garbage' | 'huge' | 'truncated' | 'stall-mid-body' | 'html' | 'redirect-loop' | 'never';

export interface HostileServer {
  url: string;
  requests: number;
  /** Body bytes written (for `huge`: how much the client pulled before it stopped). */
  bytesSent: number;
  close(): Promise<void>;
}

const HUGE_BYTES = 100 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 'A');

export async function startHostileServer(mode: HostileMode): Promise<HostileServer> {
  const sockets = new Set<Socket>();
  const state = { requests: 0, bytesSent: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    state.requests++;
    req.resume();
    const token = { 'X-RestSvcSessionId': 'aG9zdGlsZS10b2tlbg==' };
    switch (mode) {
      case 'garbage': {
        const body = Buffer.from([0x3c, 0x00, 0xff, 0xfe, 0x3e, 0x7b, 0x22, 0x5d, 0x0a, 0xc3, 0x28]);
        res.writeHead(201, { ...token, 'Content-Type': 'application/xml', 'Content-Length': body.length });
        res.end(body);
        state.bytesSent += body.length;
        return;
      }
      case 'html': {
        const body = '<!DOCTYPE html><html><body><h1>Proxy login</h1></body></html>';
        res.writeHead(200, { ...token, 'Content-Type': 'text/html' });
        res.end(body);
        state.bytesSent += body.length;
        return;
      }
      case 'huge': {
        // Streamed with back-pressure: a client that stops reading stops the stream.
        res.writeHead(201, { ...token, 'Content-Type': 'application/xml', 'Content-Length': HUGE_BYTES });
        const pump = () => {
          while (state.bytesSent < HUGE_BYTES && !res.destroyed) {
            state.bytesSent += CHUNK.length;
            if (!res.write(CHUNK)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('close', () => res.removeAllListeners('drain'));
        pump();
        return;
      }
      case 'truncated': {
        res.writeHead(201, { ...token, 'Content-Type': 'application/xml', 'Content-Length': 1000 });
        res.write('<?xml version="1.0"?><LogonSession xmlns="http://www.veeam.com/ent/v1.0"><Sess');
        state.bytesSent += 80;
        setImmediate(() => res.socket?.destroy());
        return;
      }
      case 'stall-mid-body': {
        res.writeHead(201, { ...token, 'Content-Type': 'application/xml', 'Content-Length': 1000 });
        res.write('<?xml version="1.0"?><LogonSession xmlns="http://www.veeam.com/ent/v1.0"><Sess');
        state.bytesSent += 80;
        return; // never finishes the body
      }
      case 'redirect-loop':
        res.writeHead(302, { Location: req.url ?? '/' }).end();
        return;
      case 'never':
        return; // headers never come
    }
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    get bytesSent() {
      return state.bytesSent;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
