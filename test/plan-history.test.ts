// Earlier runs as evidence for `plan`: which reports count, and the plan's steps as the
// RTO estimate sees them.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock } from '../engine/clock.js';
import { estimateSteps, loadRunHistory } from '../engine/plan/history.js';
import type { Step } from '../engine/playbook/types.js';
import { createFakeEm } from './helpers/fake-em-client.js';
import { common, planFor, playbook } from './helpers/plan-fixture.js';
import { partlyFailedReport as sampleReport } from './helpers/report-fixture.js';

test('loadRunHistory: same playbook name and same kind of server only; unreadable files named, not fatal', () => {
  const state = mkdtempSync(join(tmpdir(), 'runbook-history-'));
  mkdirSync(join(state, 'runs'));
  const base = sampleReport();
  const write = (name: string, body: unknown) =>
    writeFileSync(join(state, 'runs', name), typeof body === 'string' ? body : JSON.stringify(body));
  write('a.report.json', { ...base, runId: 'a', server: { ...base.server, simulated: true } });
  write('b.report.json', { ...base, runId: 'b', server: { ...base.server, simulated: false } });
  write('c.report.json', {
    ...base,
    runId: 'c',
    playbook: { ...base.playbook, name: 'another playbook' },
    server: { ...base.server, simulated: true },
  });
  write('d.report.json', '{ not json');
  write('a.jsonl', '{}\n');
  const sim = loadRunHistory(state, { name: base.playbook.name, simulated: true });
  assert.equal(
    sim.reports.map((r) => r.runId),
    ['a'],
  );
  assert.is(sim.unreadable.length, 1);
  assert.match(sim.unreadable[0]!, 'd.report.json: not valid JSON');
  assert.equal(
    loadRunHistory(state, { name: base.playbook.name, simulated: false }).reports.map((r) => r.runId),
    ['b'],
  );
  assert.equal(loadRunHistory(join(state, 'missing'), { name: 'x', simulated: true }), { reports: [], unreadable: [] });
});

test('estimateSteps: parallel children share the group, VM counts and concurrency come from the plan', async () => {
  const clock = new FakeClock();
  const em = createFakeEm({ clock, replicas: [{ id: 'r1', name: 'R', vms: [1, 2, 3].map((i) => ({ id: `v${i}`, name: `vm${i}` })) }] });
  const fo = (id: string, vms: string[], concurrency: number): Step => ({
    ...common(id),
    kind: 'failover',
    cdpReplica: 'R',
    vms,
    restorePoint: { kind: 'latest' },
    concurrency,
  });
  const steps: Step[] = [
    fo('db', ['vm1', 'vm2'], 1),
    { ...common('tier'), kind: 'parallel', steps: [fo('app', ['vm3'], 4), { ...common('pause'), kind: 'wait', durationMs: 1000 }] },
  ];
  const plan = await planFor(playbook(steps), em.client);
  assert.equal(estimateSteps(plan), [
    { id: 'db', kind: 'failover', vmCount: 2, concurrency: 1 },
    { id: 'app', kind: 'failover', vmCount: 1, concurrency: 4, parallelGroup: 'tier' },
    { id: 'pause', kind: 'wait', vmCount: 0, concurrency: 1, parallelGroup: 'tier' },
  ]);
});

test.run();
