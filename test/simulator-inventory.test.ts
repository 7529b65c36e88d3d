// Inventories: YAML/JSON loading with file:line:col errors, semantic checks, derived ids,
// 10,000 VMs without materialized history, and inventories derived from playbooks.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PlaybookError, RunbookError } from '../engine/errors.js';
import { createSimulator, inventoryFromPlaybook, loadInventory, uuidFromName } from '../engine/simulator/index.js';
import { loadPlaybook } from '../engine/playbook/validate.js';
import type { Playbook } from '../engine/playbook/types.js';
import { playbooksDir } from './helpers/paths.js';
import { API, demoVm, failover, json, logon, successOf } from './helpers/simulator.js';
import { FakeClock } from '../engine/clock.js';

const dir = mkdtempSync(join(tmpdir(), 'sim-inventory-'));
const write = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

test('a YAML inventory loads; ids derive from names unless given', async () => {
  const file = write(
    'ok.yaml',
    `
backupServers: [{name: vbr.example}]
defaults: {failoverDuration: 1s}
cdpReplicas:
  - name: P1
    history: {replicationLag: 5s, appConsistentEvery: 30m, history: 12h}
    vms: [a, {name: b, id: 11111111-2222-4333-8444-555555555555, fail: nope}]
users: [{name: admin, password: pw, role: Portal Administrator}]
faults: [{kind: status, status: 503, path: '^/tasks$', nth: 1}]
`,
  );
  const inventory = await loadInventory(file);
  const sim = createSimulator({ inventory, clock: new FakeClock() });
  const vms = sim.state.vms;
  assert.is(vms[0]?.id, uuidFromName('cdp-vm', 'P1/a'));
  assert.is(vms[1]?.id, '11111111-2222-4333-8444-555555555555');
  const s = await logon(sim, 'admin', 'pw');
  assert.is((await sim.fetch(`${API}/tasks`, { headers: s.headers })).status, 503);
});

test('schema errors point at file:line:col', async () => {
  const file = write(
    'bad.yaml',
    'cdpReplicas:\n  - name: P1\n    vms: [a]\n    colour: blue\nusers:\n  - {name: x, password: y, role: Boss}\n',
  );
  const error = await loadInventory(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.instance(error, PlaybookError);
  const d = (error as PlaybookError).diagnostics;
  assert.ok(
    d.some((x) => x.line === 4 && x.col === 5 && x.message.includes('unknown property "colour"')),
    JSON.stringify(d),
  );
  assert.ok(
    d.some((x) => x.line === 6 && x.message.includes('must be one of')),
    JSON.stringify(d),
  );
  const yamlError = await loadInventory(write('broken.yaml', 'cdpReplicas: [\n')).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.instance(yamlError, PlaybookError);
  const missing = await loadInventory(join(dir, 'nope.yaml')).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.instance(missing, RunbookError);
  assert.match((missing as Error).message, 'ENOENT');
});

test('semantic problems are listed together', () => {
  const error = (() => {
    try {
      createSimulator({
        inventory: {
          cdpReplicas: [
            { name: 'R', vms: ['a', 'A'], history: { replicationLag: '2h', history: '1h' } },
            { name: 'r', vms: [] },
          ],
          faults: [{ kind: 'latency' }],
        },
      });
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  assert.instance(error, RunbookError);
  const message = (error as Error).message;
  assert.match(message, 'appears twice');
  assert.match(message, 'replicationLag must be shorter than history');
  assert.match(message, 'declared twice');
  assert.throws(() => createSimulator({ inventory: { faults: [{ kind: 'latency' }] } }), /faults\[0\] \(latency\): needs a delay/);
  assert.throws(() => createSimulator({ inventory: { faults: [{ kind: 'status', path: '(' }] } }), /not a valid regular expression/);
});

test('a JSON object that breaks the schema is refused with the path', () => {
  assert.throws(
    () => createSimulator({ inventory: { cdpReplicas: [{ name: 'x' }] } as never }),
    /cdpReplicas\/0: missing required property "vms"/,
  );
});

test('10,000 VMs: one shared behaviour and history, lists and lookups work', async () => {
  const vms = Array.from({ length: 10_000 }, (_, i) => `vm-${i}`);
  const sim = createSimulator({
    clock: new FakeClock(),
    inventory: { cdpReplicas: [{ name: 'Big', vms }], users: [{ name: 'a', password: 'b', role: 'Portal Administrator' }] },
  });
  const s = await logon(sim, 'a', 'b');
  const vm = await demoVm(sim, s.headers, 9_999);
  assert.is(vm.name, 'vm-9999');
  const r = await failover(sim, s.headers, vm.vmHref);
  assert.is(r.status, 202);
  assert.is(sim.state.vms.length, 10_000);
});

const handBuilt: Playbook = {
  version: 1,
  name: 'hand built',
  file: '/tmp/hand.yaml',
  server: { media: 'xml', tls: { insecureSkipVerify: false }, requestTimeoutMs: 30_000 },
  params: { site: { type: 'string', default: 'DR' } },
  defaults: {
    timeoutMs: 1_800_000,
    pollIntervalMs: 5000,
    retry: { attempts: 3, backoffMs: 2000, maxBackoffMs: 30_000 },
    concurrency: 10,
    onFailure: 'abort',
  },
  targets: {},
  steps: [
    {
      kind: 'check',
      id: 'c',
      name: 'c',
      timeoutMs: 1,
      retry: { attempts: 1, backoffMs: 1, maxBackoffMs: 1 },
      onFailure: 'abort',
      always: false,
      cdpReplica: 'ERP-${params.site}',
      vms: ['db1'],
      maxRpoMs: 20_000,
      appConsistentWithinMs: 3_600_000,
    },
    {
      kind: 'parallel',
      id: 'p',
      name: 'p',
      timeoutMs: 1,
      retry: { attempts: 1, backoffMs: 1, maxBackoffMs: 1 },
      onFailure: 'abort',
      always: false,
      steps: [
        {
          kind: 'failover',
          id: 'f',
          name: 'f',
          timeoutMs: 1,
          retry: { attempts: 1, backoffMs: 1, maxBackoffMs: 1 },
          onFailure: 'abort',
          always: false,
          cdpReplica: 'ERP-${params.site}',
          vms: ['db1', 'app1'],
          restorePoint: { kind: 'latest' },
          concurrency: 2,
        },
        {
          kind: 'failover',
          id: 'g',
          name: 'g',
          timeoutMs: 1,
          retry: { attempts: 1, backoffMs: 1, maxBackoffMs: 1 },
          onFailure: 'abort',
          always: false,
          cdpReplica: 'Web',
          vms: 'all',
          restorePoint: { kind: 'latest' },
          concurrency: 2,
        },
        {
          kind: 'failoverVapp',
          id: 'v',
          name: 'v',
          timeoutMs: 1,
          retry: { attempts: 1, backoffMs: 1, maxBackoffMs: 1 },
          onFailure: 'abort',
          always: false,
          vapp: 'shop',
          restorePoint: { kind: 'latest' },
        },
      ],
    },
    {
      kind: 'failoverPlan',
      id: 'u',
      name: 'u',
      timeoutMs: 1,
      retry: { attempts: 1, backoffMs: 1, maxBackoffMs: 1 },
      onFailure: 'abort',
      always: false,
      plan: 'Old plan',
      action: 'undo',
    },
    {
      kind: 'failover',
      id: 't',
      name: 't',
      timeoutMs: 1,
      retry: { attempts: 1, backoffMs: 1, maxBackoffMs: 1 },
      onFailure: 'abort',
      always: false,
      cdpReplica: '${params.unknown}',
      vms: ['x'],
      restorePoint: { kind: 'latest' },
      concurrency: 1,
    },
  ],
};

test('inventoryFromPlaybook: everything named exists, healthy, templates bound to defaults', async () => {
  const inventory = { ...inventoryFromPlaybook(handBuilt), users: [{ name: 'a', password: 'b', role: 'Portal Administrator' as const }] };
  assert.equal(
    inventory.cdpReplicas?.map((r) => r.name),
    ['ERP-DR', 'Web'],
  );
  assert.equal(inventory.cdpReplicas?.[0]?.vms, ['db1', 'app1']);
  assert.is(inventory.cdpReplicas?.[1]?.vms.length, 3);
  assert.equal(
    inventory.vApps?.map((a) => a.name),
    ['shop'],
  );
  assert.equal(
    inventory.failoverPlans?.map((p) => [p.name, p.active]),
    [['Old plan', true]],
  );
  const clock = new FakeClock();
  const sim = createSimulator({ inventory, clock });
  const s = await logon(sim, 'a', 'b');
  const vm = await demoVm(sim, s.headers);
  const id = /<TaskId>([^<]+)</.exec(await (await failover(sim, s.headers, vm.vmHref)).text())?.[1] ?? '';
  await clock.advance(10_000);
  assert.is(await successOf(sim, s.headers, id), true);
  // RPO guard of 20s: the newest point is at most 5s old.
  const end = new Date(clock.now()).toISOString().slice(0, 19);
  const r = await sim.fetch(`${vm.vmHref}?action=intervals`, {
    method: 'POST',
    headers: { ...json(s.headers), 'Content-Type': 'application/json' },
    body: JSON.stringify({ StartDate: '2025-12-31T00:00:00', EndDate: end }),
  });
  const last = ((await r.json()) as { Intervals: Array<{ EndDate: string }> }).Intervals.at(-1)?.EndDate ?? '';
  assert.ok(clock.now() - Date.parse(`${last}Z`) <= 5000);
});

test('every example playbook yields an inventory the simulator accepts', async () => {
  const files = readdirSync(playbooksDir).filter((f) => /\.ya?ml$/.test(f));
  assert.ok(files.length > 0);
  for (const f of files) {
    const inventory = inventoryFromPlaybook(await loadPlaybook(join(playbooksDir, f)));
    const sim = createSimulator({ inventory });
    assert.ok(sim.state.vms.length + sim.state.vApps.length + sim.state.plans.length > 0, f);
  }
});

test.run();
