// The benchmark code still works: every scenario at N=10, time scale 20 (task 100 ms,
// poll 25 ms). Asserts the measurements are well-formed and the invariants hold; no timing
// thresholds (those are for `npm run bench`).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runBench } from './bench/bench.js';
import { analyze } from './bench/analyze.js';
import { renderReport, verdicts } from './bench/report.js';

const N = 10;

test('every scenario runs at N=10 and its measurements are well-formed', async () => {
  const r = await runBench({
    sizes: [N],
    poolSizes: [N],
    serialSizes: [N],
    timeScale: 20,
    concurrency: 200,
    cli: { runs: 2, playbooks: 20, manyRuns: 1 },
    sim: { connections: 2, requests: 200 },
  });
  assert.is(r.failover.length, 3);
  for (const x of r.failover) {
    const who = `${x.driver} at ${x.vms} VMs`;
    assert.ok(x.ok, `${who}: ${x.problem ?? ''}`);
    // Never twice, never skipped: one failover POST per VM, and each finished task deleted.
    assert.is(x.vmsFailedOverOnce, N, who);
    assert.is(x.vmsPostedTwice, 0, who);
    assert.is(x.byKind.failover, N, who);
    assert.is(x.byKind.deleteTask, N, who);
    assert.is(x.byKind.restoreSession, N, who);
    assert.is(x.errors, 0, `${who}: non-2xx answers`);
    assert.ok(x.peakInFlight >= 1 && x.peakInFlight <= x.concurrency, `${who}: ${x.peakInFlight} in flight`);
    assert.is(x.reaction.n, N, who);
    for (const v of [x.phaseMs, x.wallMs, x.ratio, x.requestsPerVm, x.reaction.median, x.reaction.p99])
      assert.ok(Number.isFinite(v), `${who}: ${v}`);
    assert.is(
      x.requests,
      Object.values(x.byKind).reduce((a, b) => a + b, 0),
      who,
    );
  }
  const engine = r.failover.find((x) => x.driver === 'engine')!;
  // The engine polls the session's task list, never one task at a time.
  assert.is(engine.byKind.pollOne, 0);
  assert.ok(engine.byKind.pollList >= 1);
  assert.ok(engine.cpuMsPerVm! > 0 && engine.peakRssMb! > 0);
  // The main thread's share is read from Linux's /proc; it is part of the process's CPU.
  if (process.platform === 'linux') {
    assert.ok(engine.mainThreadCpuMsPerVm !== undefined && engine.mainThreadCpuMsPerVm >= 0);
    assert.ok(engine.mainThreadCpuMsPerVm <= engine.cpuMsPerVm! + 20 / N, `main ${engine.mainThreadCpuMsPerVm} of ${engine.cpuMsPerVm}`);
  }
  const serial = r.failover.find((x) => x.driver === 'naive-serial')!;
  assert.is(serial.peakInFlight, 1);
  assert.is(serial.waves, N);
  // Every hand-written poll is a GET /tasks/{id}.
  assert.is(serial.byKind.pollList, 0);
  assert.ok(serial.byKind.pollOne >= N);

  assert.ok(r.cli && r.cli.single.n === 2 && r.cli.single.median > 0 && r.cli.many.count === 20);
  assert.ok(r.sim && r.sim.errors === 0 && r.sim.requests === 200 && r.sim.rps > 0);
  const text = renderReport(r);
  assert.match(text, /Machine: .+ cores/);
  assert.ok(verdicts(r).length > 0);
  assert.ok(JSON.parse(JSON.stringify(r)).failover.length === 3);
});

test('the log analysis counts a second failover POST of a VM and a missing delete', () => {
  const post = (at: number, vm: string, taskId: string) => ({
    at,
    method: 'POST',
    path: `/cdpReplicas/r/vms/${vm}`,
    query: 'action=failover',
    status: 202,
    taskId,
  });
  const a = analyze(
    [
      { at: 0, method: 'POST', path: '/sessionMngr/', query: 'v=latest', status: 201, taskId: '' },
      post(10, 'a', 'task-1'),
      post(11, 'b', 'task-2'),
      post(12, 'a', 'task-3'),
      { at: 20, method: 'GET', path: '/tasks', query: '', status: 200, taskId: '' },
      { at: 130, method: 'DELETE', path: '/tasks/task-1', query: '', status: 204, taskId: '' },
      { at: 140, method: 'GET', path: '/restoreSessions/x', query: 'format=Entity', status: 200, taskId: '' },
    ],
    100,
  );
  assert.is(a.vmsFailedOverOnce, 1);
  assert.is(a.vmsPostedTwice, 1);
  assert.is(a.byKind.failover, 3);
  assert.is(a.byKind.deleteTask, 1);
  assert.is(a.reaction.n, 1);
  assert.is(a.reaction.median, 20);
  assert.is(a.phaseMs, 130);
  assert.is(a.peakInFlight, 3);
});

test.run();
