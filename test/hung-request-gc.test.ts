// A request that gets no answer must still end at the client's deadline after a garbage
// collection. A fetch Request's signal follows its parent's through a WeakRef (undici): a
// Request nobody holds is collected and its signal never aborts. The simulator's `hang` held
// only the signal, and a GC during the hang left a run waiting forever (the explorer's deep
// run, 3 Dec 2026: two I6 hangs in 10,000 seeds that no replay repeated). A real socket holds
// the request on the wire; the in-process simulator now does the same.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createClient } from '../engine/api/client.js';
import { createTransport } from '../engine/api/transport.js';
import { FakeClock, systemClock } from '../engine/clock.js';
import { createSimulator } from '../engine/simulator/index.js';
import { DEMO_ADMIN, demoInventory } from '../engine/simulator/demo.js';

// A full collection on demand, without running the suite under --expose-gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

test('the simulator hangs a GET, a GC runs, the deadline still ends it and the retry is answered', async () => {
  const clock = new FakeClock();
  const sim = createSimulator({ inventory: demoInventory(), clock, faults: [{ kind: 'hang', path: '^/cdpReplicas$', nth: 1 }] });
  const client = createClient({
    url: 'https://em01:9398/api',
    username: DEMO_ADMIN.name,
    password: DEMO_ADMIN.password,
    fetch: sim.fetch,
    clock,
    deadlineClock: clock,
    timeoutMs: 30_000,
  });
  const logon = client.logon();
  await clock.advance(0);
  await logon;
  let settled = 'pending';
  // Only the outcome is kept here: the request itself is held by nobody but the simulator.
  void client.listCdpReplicas().then(
    (list) => (settled = `answered: ${list.length} replicas`),
    (error: Error) => (settled = `rejected: ${error.message}`),
  );
  for (let i = 0; i < 5; i++) await turn();
  gc();
  await turn();
  gc();
  await clock.advance(31_000); // past the deadline
  for (let i = 0; i < 10; i++) await turn();
  await clock.advance(60_000); // past any retry delay
  for (let i = 0; i < 10; i++) await turn();
  assert.equal(
    sim.log.filter((e) => e.path === '/cdpReplicas').map((e) => e.fault ?? e.status),
    ['hang', 200],
  );
  assert.match(settled, /^answered: \d+ replicas$/);
  await client.logout();
});

test('on the wire (node:http): an EM that never answers, a GC meanwhile, the request times out', async () => {
  const server: Server = createServer(() => {}); // reads the request, never answers
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  try {
    const transport = createTransport({
      baseUrl: `http://127.0.0.1:${address.port}/api/`,
      timeoutMs: 400,
      maxBodyBytes: 1 << 20,
      clock: systemClock,
    });
    const sent = transport.send({ method: 'GET', path: '/cdpReplicas', headers: {} });
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      gc();
    }
    const outcome = await Promise.race([sent, new Promise((resolve) => setTimeout(() => resolve('no end'), 5_000))]);
    assert.equal((outcome as { kind?: string }).kind, 'timeout');
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test.run();
