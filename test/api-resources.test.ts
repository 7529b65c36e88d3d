// Resource rules that need answers the simulator does not give by default: the query
// fallback, ambiguous names, "already gone" deletes, href rewriting, the low-level call().
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { FakeClock } from '../engine/clock.js';
import { createClient } from '../engine/api/client.js';
import { asId } from '../engine/api/resources.js';
import type { ClientOptions, Task } from '../engine/api/types.js';
import { EmHttpError, PreflightError } from '../engine/errors.js';
import { docsFixture } from './helpers/paths.js';
import { PASSWORD, fakeEm, taskXml, xml, xmlError, type Responder } from './helpers/api-fake-em.js';

const fixture = (name: string) => readFileSync(docsFixture(name), 'utf8');

function setup(responder: Responder, extra: Partial<ClientOptions> = {}) {
  const em = fakeEm(responder);
  const client = createClient({
    url: 'https://em:9398',
    username: 'dr',
    password: PASSWORD,
    fetch: em.fetch,
    clock: new FakeClock({ auto: true }),
    ...extra,
  });
  return { em, client };
}

test('find a CDP replica by name through the query service (filtered by EM)', async () => {
  const { em, client } = setup(() =>
    xml(
      `<QueryResult xmlns="http://www.veeam.com/ent/v1.0"><Refs><Ref Type="CdpReplicaReference" Href="https://em:9398/api/cdpReplicas/24ae37ad-4d28-4568-8467-98d8770bb722" Name="CDP Policy 1"/></Refs></QueryResult>`,
    ),
  );
  const replica = await client.findCdpReplica('CDP Policy 1');
  assert.is(replica?.id, '24ae37ad-4d28-4568-8467-98d8770bb722');
  assert.is(em.calls.length, 1);
  const url = new URL(em.calls[0]?.url ?? '');
  assert.is(url.pathname, '/api/query');
  assert.is(url.searchParams.get('filter'), 'Name=="CDP Policy 1"');
});

test('query service unavailable (400/404/501): falls back to listing and matching exactly', async () => {
  for (const status of [400, 404, 501]) {
    const { em, client } = setup((s) =>
      s.path.startsWith('/api/query') ? xmlError(status, 'Unknown query type') : xml(fixture('cdp-replicas.xml')),
    );
    const replica = await client.findCdpReplica('CDP Policy 1');
    assert.is(replica?.id, '24ae37ad-4d28-4568-8467-98d8770bb722');
    assert.equal(
      em.calls.map((c) => c.path),
      ['/api/query?type=CdpReplica&filter=Name%3D%3D%22CDP%20Policy%201%22', '/api/cdpReplicas'],
    );
    assert.is(await client.findCdpReplica('cdp policy 1'), undefined, 'names match exactly');
  }
});

test('a 403 on the query is not hidden by the fallback', async () => {
  const { client } = setup(() => xmlError(403, 'Access denied'));
  try {
    await client.findCdpReplica('CDP Policy 1');
    assert.unreachable();
  } catch (error) {
    assert.instance(error, EmHttpError);
    assert.is((error as EmHttpError).status, 403);
  }
});

test('two replicas with the same name: a preflight error listing both ids', async () => {
  const twice = fixture('cdp-replicas.xml').replace('Name="CDP Policy 2"', 'Name="CDP Policy 1"');
  const { client } = setup((s) => (s.path.startsWith('/api/query') ? xmlError(404, 'no') : xml(twice)));
  try {
    await client.findCdpReplica('CDP Policy 1');
    assert.unreachable();
  } catch (error) {
    assert.instance(error, PreflightError);
    assert.match((error as Error).message, '2 CDP replicas are named "CDP Policy 1"');
    assert.match((error as Error).message, '7665222c-2e99-4a3f-b892-1827ba8d1eee');
  }
});

test('by id (GUID or UID): GET ?format=Entity; 404 means there is none', async () => {
  const { em, client } = setup((s) =>
    s.path.includes('7665222c') ? xml(fixture('cdp-replica.xml')) : xmlError(404, 'Cannot find CDP replica'),
  );
  const replica = await client.findCdpReplica('urn:veeam:CdpReplica:7665222c-2e99-4a3f-b892-1827ba8d1eee');
  assert.is(replica?.policyName, 'CDP Policy 2');
  assert.is(em.calls[0]?.path, '/api/cdpReplicas/7665222c-2e99-4a3f-b892-1827ba8d1eee?format=Entity');
  assert.is(await client.findCdpReplica('00000000-0000-4000-8000-000000000000'), undefined);
  assert.is(asId('erp-db01'), undefined);
});

test('vApp replicas: listed at /cdpReplica/vApps; by id the entity (or a reference) is accepted', async () => {
  const { em, client } = setup((s) =>
    s.path === '/api/cdpReplica/vApps'
      ? xml(fixture('vapp-cdp-replicas.xml'))
      : s.path.includes('?format=Entity')
        ? xml(fixture('vapp-cdp-replica.xml'))
        : xmlError(404, 'x'),
  );
  assert.is((await client.findVappCdpReplica('vApp-TS'))?.id, '571252ff-c227-4204-b9f8-e1f32a52496b');
  assert.is((await client.findVappCdpReplica('4d408966-827f-4142-811f-90be94c842a9'))?.name, 'vApp02');
  assert.ok(em.calls.some((c) => c.path === '/api/cdpReplica/vApps/4d408966-827f-4142-811f-90be94c842a9?format=Entity'));
});

test('deleteTask: 204 done; 404 means already gone (resolves); 403 is an error', async () => {
  const { em, client } = setup((s) =>
    s.path.endsWith('task-1')
      ? new Response(null, { status: 204 })
      : s.path.endsWith('task-2')
        ? xmlError(404, 'Task not found')
        : xmlError(403, 'Access denied'),
  );
  await client.deleteTask('task-1');
  await client.deleteTask('task-2');
  try {
    await client.deleteTask('task-3');
    assert.unreachable();
  } catch (error) {
    assert.is((error as EmHttpError).status, 403);
  }
  assert.equal(
    em.calls.map((c) => c.method),
    ['DELETE', 'DELETE', 'DELETE'],
  );
});

test('getRestoreSession follows the Related href against our base, with format=Entity', async () => {
  const { em, client } = setup(() => xml(fixture('restore-session.xml')));
  const a = await client.getRestoreSession('https://localhost:9398/api/restoreSessions/676dc837-f441-4ac1-8470-15be06b4cffc?format=Entity');
  assert.is(a.state, 'Stopped');
  await client.getRestoreSession('https://localhost:9398/api/restoreSessions/676dc837-f441-4ac1-8470-15be06b4cffc');
  assert.equal(
    em.calls.map((c) => c.url),
    [
      'https://em:9398/api/restoreSessions/676dc837-f441-4ac1-8470-15be06b4cffc?format=Entity',
      'https://em:9398/api/restoreSessions/676dc837-f441-4ac1-8470-15be06b4cffc?format=Entity',
    ],
  );
});

test('call(): a Task answer comes back parsed; other bodies raw; empty as undefined', async () => {
  const { client } = setup((s) =>
    s.path.startsWith('/api/tasks/')
      ? xml(taskXml('task-4'), 202)
      : s.method === 'DELETE'
        ? new Response(null, { status: 204 })
        : xml(fixture('restore-session.xml')),
  );
  const task = await client.call<Task>({ method: 'POST', path: '/tasks/task-4', mutating: true });
  assert.is(task.taskId, 'task-4');
  const raw = await client.call<Record<string, unknown>>({ method: 'GET', path: '/restoreSessions/x', mutating: false });
  assert.is(raw.State, 'Stopped');
  assert.is(await client.call({ method: 'DELETE', path: '/x', mutating: false }), undefined);
});

test('listTasks in JSON reads the Tasks list', async () => {
  const body = JSON.stringify({
    Tasks: [
      {
        TaskId: 'task-1',
        State: 'Finished',
        Operation: 'StartFailover',
        Result: { Message: 'Ok', Success: true },
        Links: [],
        Href: 'https://em/api/tasks/task-1',
        Type: 'Task',
      },
    ],
  });
  const { client } = setup(() => new Response(body, { status: 200, headers: { 'Content-Type': 'application/json' } }), { media: 'json' });
  const tasks = await client.listTasks();
  assert.equal(
    tasks.map((t) => [t.taskId, t.result?.success]),
    [['task-1', true]],
  );
});

test.run();
