// TLS against a self-signed certificate on loopback: trusted with the CA file (or PEM),
// refused without it, accepted with the explicit insecureSkipVerify opt-out.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { createClient, tlsWarning } from '../engine/api/client.js';
import { EmNetworkError, UsageError } from '../engine/errors.js';
import { PASSWORD, SESSION_ID, TOKEN, taskXml } from './helpers/api-fake-em.js';

let server: Server;
let plain: ReturnType<typeof createHttpServer>;
let url = '';
let plainUrl = '';
let cert = '';
let dir = '';
let requests = 0;

test.before(async () => {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  cert = pems.cert;
  dir = mkdtempSync(join(tmpdir(), 'api-tls-'));
  writeFileSync(join(dir, 'em.pem'), cert);
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    requests++;
    if (req.method === 'POST' && req.url?.startsWith('/api/sessionMngr/')) {
      res.writeHead(201, { 'X-RestSvcSessionId': TOKEN, 'Content-Type': 'application/xml' });
      res.end(`<LogonSession xmlns="http://www.veeam.com/ent/v1.0"><SessionId>${SESSION_ID}</SessionId></LogonSession>`);
    } else if (req.headers['x-restsvcsessionid'] !== TOKEN) {
      res.writeHead(401).end();
    } else if (req.method === 'DELETE') {
      res.writeHead(204).end();
    } else {
      res.writeHead(200, { 'Content-Type': 'application/xml' });
      res.end(taskXml('task-1', 'Finished'));
    }
  };
  server = createServer({ key: pems.private, cert }, handler);
  plain = createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  const port = (s: { address(): unknown }) => (s.address() as { port: number }).port;
  url = `https://127.0.0.1:${port(server)}`;
  plainUrl = `http://127.0.0.1:${port(plain)}`;
});

test.after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await new Promise<void>((resolve) => plain.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

const base = () => ({ url, username: 'dr', password: PASSWORD, retry: { attempts: 1 } });

test('trusted through tls.caFile: a full round trip, then logout', async () => {
  const client = createClient({ ...base(), tls: { caFile: join(dir, 'em.pem') } });
  const task = await client.getTask('task-1');
  assert.is(task.state, 'Finished');
  await client.logout();
  assert.is(tlsWarning({ url, tls: { caFile: join(dir, 'em.pem') } }), undefined);
});

test('trusted through an inline PEM (tls.ca)', async () => {
  const client = createClient({ ...base(), tls: { ca: cert } });
  assert.is((await client.getTask('task-1')).taskId, 'task-1');
});

test('refused without the CA: EmNetworkError with the certificate code and the fix', async () => {
  const before = requests;
  const client = createClient(base());
  try {
    await client.getTask('task-1');
    assert.unreachable('should have been refused');
  } catch (error) {
    assert.instance(error, EmNetworkError);
    assert.match(String((error as EmNetworkError).code), /SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
    assert.match((error as Error).message, 'tls.caFile');
  }
  assert.is(requests, before, 'no HTTP request got through');
});

test('insecureSkipVerify works and the caller gets a warning to print', async () => {
  const client = createClient({ ...base(), tls: { insecureSkipVerify: true } });
  assert.is((await client.getTask('task-1')).taskId, 'task-1');
  const warning = tlsWarning({ url, tls: { insecureSkipVerify: true } });
  assert.ok(warning?.includes('verification is disabled'));
});

test('an unreadable or non-PEM caFile is a usage error naming the file', async () => {
  for (const [file, why] of [
    [join(dir, 'missing.pem'), /cannot read tls.caFile .*missing.pem/],
    [join(dir, 'not.pem'), /holds no PEM certificate/],
  ] as const) {
    writeFileSync(join(dir, 'not.pem'), 'hello');
    const client = createClient({ ...base(), tls: { caFile: file } });
    try {
      await client.logon();
      assert.unreachable('should fail');
    } catch (error) {
      assert.instance(error, UsageError);
      assert.match((error as Error).message, why);
    }
  }
});

test('an http:// URL (the simulator on loopback) never reads the TLS settings: a caFile kept for the real EM may be missing', async () => {
  const client = createClient({ ...base(), url: plainUrl, tls: { caFile: join(dir, 'missing.pem') } });
  assert.is((await client.getTask('task-1')).taskId, 'task-1');
  await client.logout();
  assert.is(tlsWarning({ url: plainUrl, tls: { caFile: join(dir, 'missing.pem') } }), undefined);
});

test('plain http:// to another host gets a warning that the credentials travel unencrypted', () => {
  for (const loopback of ['http://127.0.0.1:9398', 'http://localhost:9399/api', 'http://[::1]:9398'])
    assert.is(tlsWarning({ url: loopback }), undefined, loopback);
  const warning = tlsWarning({ url: 'http://em01.corp.example:9399/api/' });
  assert.match(
    String(warning),
    'http://em01.corp.example:9399 is plain http://: the credentials and the session token cross the network unencrypted',
  );
  assert.is(tlsWarning({ url: 'https://em01.corp.example:9398' }), undefined);
});

test.run();
