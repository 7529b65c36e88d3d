// `runbook plan --out` / `runbook run --plan`, through the built CLI: the saved plan's calls,
// the journal's intents and the requests EM received are one value; a plan whose playbook,
// params or resolved ids changed is refused (exit 3) before anything is sent.

import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeBody } from '../engine/api/bodies.js';
import type { ApiCall } from '../engine/api/types.js';
import { systemClock } from '../engine/clock.js';
import type { SavedPlan } from '../engine/plan/saved.js';
import { flattenSteps } from '../engine/plan/types.js';
import { createSimulator, startSimulatorServer } from '../engine/simulator/index.js';
import type { Inventory } from '../engine/simulator/index.js';
import { runCli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'runbook-saved-plan-'));
const REPLICA = '6f0c3c1e-1b2a-4c3d-8e4f-5a6b7c8d9e01';
const OTHER = '6f0c3c1e-1b2a-4c3d-8e4f-5a6b7c8d9e02';
const PLAYBOOK = `version: 1
name: saved plan
params:
  site: {type: string, default: east}
defaults:
  pollInterval: 2s
steps:
  - id: db
    failover:
      cdpReplica: APP-CDP
      vms: [vm1, vm2]
      restorePoint: latest
  - id: dns
    failoverPlan:
      plan: DNS plan
      action: start
  - id: note
    exec:
      command: [echo, 'site \${params.site}']
`;
const inventory = (replicaId: string): Inventory => ({
  users: [{ name: 'dr', password: 'dr-pass', role: 'Portal Administrator' }],
  cdpReplicas: [
    {
      name: 'APP-CDP',
      id: replicaId,
      vms: [
        { name: 'vm1', failoverDuration: '2s' },
        { name: 'vm2', failoverDuration: '2s' },
      ],
    },
  ],
  failoverPlans: [{ name: 'DNS plan', vms: ['dns01'], failoverDuration: '2s' }],
});
writeFileSync(join(dir, 'pb.yaml'), PLAYBOOK);
writeFileSync(join(dir, 'inv.json'), JSON.stringify(inventory(REPLICA)));

const mutating = (c: { method: string; path: string }) => c.method === 'POST' && /action=(failover|start|undo)/.test(c.path);
const planCalls = (saved: SavedPlan): ApiCall[] =>
  flattenSteps(saved.plan.steps).flatMap((s) =>
    s.kind === 'failover' ? s.vms.map((v) => v.call) : s.kind === 'failoverPlan' ? [s.call] : [],
  );

test('run --plan sends exactly the saved calls: plan, journal intents and received requests are byte-equal', async () => {
  const sim = createSimulator({ inventory: inventory(REPLICA), clock: systemClock });
  const received: { method: string; path: string; body: string }[] = [];
  const recording = {
    ...sim,
    serve: async (req: Parameters<typeof sim.serve>[0]) => {
      const url = new URL(req.url);
      received.push({ method: req.method, path: url.pathname.replace(/^\/api/, '') + url.search, body: await req.text() });
      return sim.serve(req);
    },
  };
  const server = await startSimulatorServer(recording as typeof sim, { port: 0 });
  const env = { VEEAM_EM_USERNAME: 'dr', VEEAM_EM_PASSWORD: 'dr-pass' };
  try {
    const plan = await runCli(['plan', 'pb.yaml', '--server', server.url, '--param', 'site=west', '--out', 'plan.json'], { cwd: dir, env });
    assert.is(plan.code, 0, plan.stderr);
    const saved = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as SavedPlan;
    assert.is(saved.format, 'runbook-plan/1');
    assert.equal(saved.params, { site: 'west' });
    assert.is(saved.resolved['step "db": CDP replica "APP-CDP"'], REPLICA);
    assert.match(saved.playbook.sha256, /^[0-9a-f]{64}$/);
    assert.is(received.filter(mutating).length, 0, 'plan sends nothing that changes EM');

    const run = await runCli(['run', '--plan', 'plan.json', '--server', server.url, '--param', 'site=west', '--yes', '--state-dir', 'st'], {
      cwd: dir,
      env,
    });
    assert.is(run.code, 0, run.stderr);
    const journal = readdirSync(join(dir, 'st', 'runs')).find((f) => f.endsWith('.jsonl'))!;
    const intents = readFileSync(join(dir, 'st', 'runs', journal), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; method: string; path: string; body?: ApiCall['body'] })
      .filter((e) => e.type === 'request-intent');
    const sent = received.filter(mutating);
    const planned = planCalls(saved);
    assert.is(planned.length, 3);
    const line = (c: { method: string; path: string }) => `${c.method} ${c.path}`;
    assert.equal(intents.map(line).sort(), planned.map(line).sort());
    assert.equal(sent.map(line).sort(), planned.map(line).sort());
    for (const call of planned) {
      const intent = intents.find((i) => i.path === call.path)!;
      assert.is(JSON.stringify(intent.body), JSON.stringify(call.body), `journal body of ${call.path}`);
      assert.is(sent.find((r) => r.path === call.path)!.body, encodeBody(call, 'xml').body ?? '', `wire body of ${call.path}`);
    }
  } finally {
    await server.close();
  }
});

const simPlan = async (name: string, extra: string[] = []) => {
  const r = await runCli(['plan', 'pb.yaml', '--simulate', '--inventory', 'inv.json', '--out', name, ...extra], { cwd: dir });
  assert.is(r.code, 0, r.stderr);
};
const noMutation = (logFile: string) => {
  if (!existsSync(logFile)) return; // refused before connecting: nothing was sent at all
  const sent = readFileSync(logFile, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { method: string; path: string; query: string });
  assert.equal(
    sent.filter((e) => mutating({ method: e.method, path: `${e.path}?${e.query}` })),
    [],
  );
};

test('run --plan refuses (exit 3) when the playbook changed since the plan', async () => {
  const d = mkdtempSync(join(dir, 'pb-'));
  writeFileSync(join(d, 'pb.yaml'), PLAYBOOK);
  writeFileSync(join(d, 'inv.json'), JSON.stringify(inventory(REPLICA)));
  const plan = await runCli(['plan', 'pb.yaml', '--simulate', '--inventory', 'inv.json', '--out', 'p.json'], { cwd: d });
  assert.is(plan.code, 0, plan.stderr);
  appendFileSync(join(d, 'pb.yaml'), '# edited after review\n');
  const r = await runCli(['run', '--plan', 'p.json', '--simulate', '--inventory', 'inv.json', '--sim-log', 'sim.jsonl'], { cwd: d });
  assert.is(r.code, 3, r.stderr);
  assert.match(r.stderr, /the saved plan p\.json no longer holds, nothing was sent/);
  assert.match(r.stderr, /the playbook .*pb\.yaml changed \(sha256 [0-9a-f]{12} then, [0-9a-f]{12} now\)/);
  noMutation(join(d, 'sim.jsonl'));
});

test('run --plan refuses (exit 3) when a param differs from the plan', async () => {
  await simPlan('params.json', ['--param', 'site=west']);
  const r = await runCli(
    ['run', '--plan', 'params.json', '--simulate', '--inventory', 'inv.json', '--param', 'site=north', '--sim-log', 'p.jsonl'],
    { cwd: dir },
  );
  assert.is(r.code, 3, r.stderr);
  assert.match(r.stderr, /param site: "west" then, "north" now/);
  noMutation(join(dir, 'p.jsonl'));
});

test('run --plan refuses (exit 3) when a name now resolves to another id', async () => {
  await simPlan('ids.json');
  writeFileSync(join(dir, 'inv2.json'), JSON.stringify(inventory(OTHER)));
  const r = await runCli(['run', '--plan', 'ids.json', '--simulate', '--inventory', 'inv2.json', '--sim-log', 'ids.jsonl'], { cwd: dir });
  assert.is(r.code, 3, r.stderr);
  assert.match(r.stderr, new RegExp(`step "db": CDP replica "APP-CDP": id ${REPLICA} then, ${OTHER} now`));
  assert.ok(existsSync(join(dir, 'ids.jsonl')), 'it logged on and read the names again');
  noMutation(join(dir, 'ids.jsonl'));
});

test('run --plan: a file that is not a saved plan is a usage error (exit 2)', async () => {
  writeFileSync(join(dir, 'not-a-plan.json'), '{"steps": []}');
  const r = await runCli(['run', '--plan', 'not-a-plan.json', '--simulate'], { cwd: dir });
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, /not a saved plan/);
});

test.run();
