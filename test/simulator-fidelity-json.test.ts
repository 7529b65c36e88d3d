// Proof of fidelity, JSON and requests: the simulator's JSON bodies follow EM's conventions
// (§7: Error keys, Task, Refs, QueryResult slots), and the doc request examples are accepted
// as sent.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { docsFixture, fixturesDir } from './helpers/paths.js';
import { API, FAILOVER_XML, demoVm, failover, json, logon, testSim } from './helpers/simulator.js';

test('JSON follows §7: Error keys, Task, Refs, QueryResult slots', async () => {
  const { sim } = testSim();
  const s = await logon(sim);
  const fixture = (name: string) => JSON.parse(readFileSync(docsFixture(name), 'utf8')) as Record<string, unknown>;
  const err = (await (await sim.fetch(`${API}/tasks/task-999999`, { headers: json(s.headers) })).json()) as Record<string, unknown>;
  assert.equal(Object.keys(err), Object.keys(fixture('error-404.json')));
  assert.is(err.Status, null);
  assert.is(err.StatusCode, 404);
  const vm = await demoVm(sim, s.headers);
  const r = await sim.fetch(`${vm.vmHref}?action=failover`, {
    method: 'POST',
    headers: { ...json(s.headers), 'Content-Type': 'application/json' },
    body: JSON.stringify({ RestoreCurrent: true, RestoreCurrentVss: false }),
  });
  const task = (await r.json()) as Record<string, unknown>;
  assert.equal(Object.keys(task), Object.keys(fixture('task-running.json')));
  assert.equal(Object.keys((task.Links as object[])[0] ?? {}), ['Rel', 'Href', 'Name', 'Type']);
  const refs = (await (await sim.fetch(`${API}/cdpReplicas`, { headers: json(s.headers) })).json()) as {
    Refs: Array<Record<string, unknown>>;
  };
  const docRefs = fixture('entity-references.json') as { Refs: Array<Record<string, unknown>> };
  assert.equal(Object.keys(refs), ['Refs']);
  assert.equal(Object.keys(refs.Refs[0] ?? {}), Object.keys(docRefs.Refs[0] ?? {}));
  const q = (await (await sim.fetch(`${API}/query?type=CdpReplica`, { headers: json(s.headers) })).json()) as Record<
    string,
    Record<string, unknown>
  >;
  const docQ = fixture('query-result-refs.json') as Record<string, Record<string, unknown>>;
  assert.equal(Object.keys(q), Object.keys(docQ));
  assert.equal(Object.keys(q.PagingInfo ?? {}), Object.keys(docQ.PagingInfo ?? {}));
  assert.equal(Object.keys(q.Refs ?? {}), ['Refs']);
  const entities = (await (await sim.fetch(`${API}/query?type=CdpReplica&format=Entities`, { headers: json(s.headers) })).json()) as Record<
    string,
    Record<string, unknown>
  >;
  const centreon = JSON.parse(
    readFileSync(join(fixturesDir, 'external', 'centreon-plugins-vbem', 'restapi.query-BackupJobSession.body.json'), 'utf8'),
  ) as Record<string, Record<string, unknown>>;
  assert.equal(Object.keys(entities.Entities ?? {}), Object.keys(centreon.Entities ?? {}));
  const cdp = entities.Entities?.CdpReplicas as { CdpReplicas: Array<Record<string, unknown>> };
  assert.equal(Object.keys(cdp.CdpReplicas[0] ?? {}).slice(-5), ['Name', 'UID', 'Links', 'Href', 'Type']);
});

test('the doc request examples are accepted as sent (XML and JSON)', async () => {
  const { sim } = testSim();
  const s = await logon(sim);
  const a = await demoVm(sim, s.headers, 0);
  const b = await demoVm(sim, s.headers, 1);
  const xml = await failover(sim, s.headers, a.vmHref, readFileSync(docsFixture('cdp-failover-spec.request.xml'), 'utf8'));
  assert.is(xml.status, 202);
  const jsonBody = readFileSync(docsFixture('cdp-failover-spec.request.json'), 'utf8');
  const j = await sim.fetch(`${b.vmHref}?action=failover`, {
    method: 'POST',
    headers: { ...json(s.headers), 'Content-Type': 'application/json' },
    body: jsonBody,
  });
  assert.is(j.status, 202);
  assert.is(FAILOVER_XML().includes('RestoreCurrent'), true);
});

test.run();
