// Proof of fidelity: the simulator's XML bodies against the real ones in em-fixtures (same
// root, attributes, element order, link Rel/Type sequences; ids not compared). EM's JSON
// conventions are simulator-fidelity-json.test.ts; the XSD simulator-fidelity-xsd.test.ts.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { scenario, text } from './helpers/fidelity-scenario.js';
import { docsFixture } from './helpers/paths.js';
import { API, demoVm, json, logon, testSim } from './helpers/simulator.js';

type Node = Record<string, unknown>;
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: false,
  parseTagValue: false,
});

interface Shape {
  name: string;
  attrs: string[];
  links?: string[];
  children: Shape[];
}

function nameOf(n: Node): string {
  return Object.keys(n).find((k) => k !== ':@') ?? '';
}

function shapeOf(n: Node, ignoreLinks: boolean): Shape {
  const name = nameOf(n);
  const attrs = Object.keys((n[':@'] as Record<string, string>) ?? {})
    .filter((a) => !a.startsWith('xmlns'))
    .sort();
  const kids = ((n[name] as Node[]) ?? []).filter((c) => nameOf(c) !== '#text' && nameOf(c) !== '');
  if (name === 'Links') {
    const links = kids.map((k) => {
      const a = (k[':@'] as Record<string, string>) ?? {};
      return `${a.Rel}|${a.Type ?? ''}`;
    });
    return { name, attrs, ...(ignoreLinks ? {} : { links }), children: [] };
  }
  // Repeated siblings collapse to one: lists are compared by their first item's shape.
  const children: Shape[] = [];
  for (const k of kids) if (children.at(-1)?.name !== nameOf(k)) children.push(shapeOf(k, ignoreLinks));
  return { name, attrs, children };
}

function rootShape(xml: string, ignoreLinks = false): Shape {
  const nodes = parser.parse(xml.replace(/^\uFEFF/, '')) as Node[];
  const root = nodes.find((n) => !nameOf(n).startsWith('?'));
  if (!root) throw new Error('no root');
  return shapeOf(root, ignoreLinks);
}

function sameShape(actual: string, fixture: string, ignoreLinks = false) {
  assert.equal(rootShape(actual, ignoreLinks), rootShape(readFileSync(docsFixture(fixture), 'utf8'), ignoreLinks), fixture);
}

test('EnterpriseManager, LogonSession(s) and Error match the real bodies', async () => {
  const { sim } = testSim({
    faults: [{ kind: 'status', status: 500, path: '^/boom', message: 'Object reference not set to an instance of an object.' }],
  });
  sameShape(await text(sim, `${API}/`), 'enterprise-manager.xml');
  const r = await sim.fetch(`${API}/sessionMngr/?v=latest`, {
    method: 'POST',
    headers: { Authorization: `Basic ${Buffer.from('runbook:runbook-demo').toString('base64')}` },
  });
  sameShape(await r.text(), 'logon-session.xml');
  const headers = { 'X-RestSvcSessionId': r.headers.get('x-restsvcsessionid') ?? '' };
  // logon-sessions.xml (13.1, another server) carries a different Down-link set than
  // logon-session.xml (13.0); the two fixtures disagree, so its links are not compared.
  sameShape(await text(sim, `${API}/logonSessions`, { headers }), 'logon-sessions.xml', true);
  sameShape(await text(sim, `${API}/boom`, { headers }), 'error-500.xml');
});

test('Task bodies: running, finished (VM, plan, undo, replica), list', async () => {
  const { sim, s, running, planRunning } = await scenario();
  sameShape(running, 'task-running.xml');
  sameShape(planRunning, 'task-running-failover-plan.xml');
  const byOp = async (op: string) => {
    const list = (await (await sim.fetch(`${API}/tasks`, { headers: json(s.headers) })).json()) as {
      Tasks: Array<{ TaskId: string; Operation: string }>;
    };
    const id = list.Tasks.find((t) => t.Operation === op)?.TaskId;
    return text(sim, `${API}/tasks/${id}`, { headers: s.headers });
  };
  sameShape(await byOp('StartFailover'), 'task-finished.xml');
  sameShape(await byOp('StartFailoverPlan'), 'task-finished-failover-plan.xml');
  sameShape(await byOp('UndoFailoverPlan'), 'task-finished-undo-failover-plan.xml');
  sameShape(await byOp('StartReplicaFailover'), 'task-finished-replica-failover.xml');
  // tasks.xml: its first task's Result has no Message; compare our list with its last item.
  const fixture = rootShape(readFileSync(docsFixture('tasks.xml'), 'utf8'), true);
  const lastTask = fixture.children.at(-1);
  const list = (parser.parse(readFileSync(docsFixture('tasks.xml'), 'utf8')) as Node[])[0] as Node;
  const items = (list.Tasks as Node[]).filter((n) => nameOf(n) === 'Task');
  const expected: Shape = { ...fixture, children: [shapeOf(items.at(-1) as Node, true)] };
  assert.ok(lastTask);
  assert.equal(rootShape(await text(sim, `${API}/tasks`, { headers: s.headers }), true), expected);
});

test('CDP replica and VM bodies: lists, references, entities, intervals', async () => {
  const { sim } = testSim();
  const s = await logon(sim);
  const vm = await demoVm(sim, s.headers);
  const replicaHref = `${API}/cdpReplicas/${vm.replicaId}`;
  sameShape(await text(sim, `${API}/cdpReplicas`, { headers: s.headers }), 'cdp-replicas.xml');
  sameShape(await text(sim, `${replicaHref}?format=Entity`, { headers: s.headers }), 'cdp-replica.xml');
  sameShape(await text(sim, `${replicaHref}/vms`, { headers: s.headers }), 'cdp-replica-vms.xml');
  sameShape(await text(sim, vm.vmHref, { headers: s.headers }), 'cdp-replica-vm-ref.xml');
  sameShape(await text(sim, `${vm.vmHref}?format=Entity`, { headers: s.headers }), 'cdp-replica-vm.xml');
  const body = `<CdpReplicaIntervalsSpec xmlns="http://www.veeam.com/ent/v1.0"><StartDate>2025-12-31T00:00:00</StartDate><EndDate>2026-01-01T00:00:00</EndDate></CdpReplicaIntervalsSpec>`;
  sameShape(
    await text(sim, `${vm.vmHref}?action=intervals`, {
      method: 'POST',
      headers: { ...s.headers, 'Content-Type': 'application/xml' },
      body,
    }),
    'cdp-replica-intervals.xml',
  );
});

test('vApp bodies, served at /cdpReplica/vApps and /cdpReplicas/vApps', async () => {
  const { sim } = testSim();
  const s = await logon(sim);
  sameShape(await text(sim, `${API}/cdpReplica/vApps`, { headers: s.headers }), 'vapp-cdp-replicas.xml');
  sameShape(await text(sim, `${API}/cdpReplicas/vApps`, { headers: s.headers }), 'vapp-cdp-replicas.xml');
  const list = (await (await sim.fetch(`${API}/cdpReplica/vApps`, { headers: json(s.headers) })).json()) as {
    Refs: Array<{ Href: string }>;
  };
  const href = list.Refs[0]?.Href ?? '';
  sameShape(await text(sim, `${href}?format=Entity`, { headers: s.headers }), 'vapp-cdp-replica.xml');
  sameShape(await text(sim, `${href}/vms?format=Entity`, { headers: s.headers }), 'vapp-cdp-replica-vms.xml');
  const vms = (await (await sim.fetch(`${href}/vms`, { headers: json(s.headers) })).json()) as { Refs: Array<{ Href: string }> };
  sameShape(await text(sim, `${vms.Refs[0]?.Href}?format=Entity`, { headers: s.headers }), 'vapp-cdp-replica-vm.xml');
});

test('RestoreSession behind a finished failover matches restore-session.xml (links aside)', async () => {
  const { sim, s } = await scenario();
  const task = (await (await sim.fetch(`${API}/tasks/${sim.log.find((e) => e.taskId)?.taskId}`, { headers: json(s.headers) })).json()) as {
    Links: Array<{ Rel: string; Href: string }>;
  };
  const related = task.Links.find((l) => l.Rel === 'Related')?.Href ?? '';
  assert.match(related, /\/restoreSessions\/[0-9a-f-]+\?format=Entity$/);
  const body = await text(sim, related, { headers: s.headers });
  sameShape(body, 'restore-session.xml', true);
  assert.match(body, '<State>Stopped</State>');
  assert.match(body, '<Result>Success</Result>');
});

test.run();
