// Signal drills through the real CLI: SIGINT and SIGTERM while failovers are in flight
// (the run stops new work, deletes the running tasks, exits 130/143 and says so in the
// report and the journal), SIGHUP, and kill -9 followed by `runbook status`, which must list
// every VM whose failover was requested and not seen finished. Signals while the tasks read
// OperationFinished are drill-signals-op-finished.test.ts.

import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunReport, VmReport } from '../engine/state/report-types.js';
import { loadRunStatus } from '../engine/state/run-status.js';
import type { SimState } from '../engine/simulator/index.js';
import { checkI1, checkOutcomeTruth } from './drills/invariants.js';
import { failoverPosts, readLog, runAndSignal, secretsIn, stateDirFiles, VMS } from './drills/signal-run.js';
import { publishTable, renderTable, type Row } from './drills/table.js';
import { runCli } from './helpers/cli.js';
import { repoRoot } from './helpers/paths.js';

const rows: Row[] = [];

for (const [signal, code, media] of [
  ['SIGINT', 130, 'xml'],
  ['SIGTERM', 143, 'json'],
] as const) {
  test(`${signal} during a fan-out: running tasks deleted, queued never sent, exit ${code}, report and journal agree`, async () => {
    const r = await runAndSignal(signal, media);
    const cells: Record<string, string> = {};
    try {
      assert.is(r.code, code, r.stderr);
      const log = readLog(join(r.dir, 'sim.jsonl'));
      const posts = failoverPosts(log);
      // I1: one POST per VM, each processed once; the model state is rebuilt from the log.
      const i1 = checkI1(log, { vms: [], failovers: {} } as unknown as SimState);
      cells.I1 = i1.length === 0 && new Set(posts.map((p) => p.path)).size === posts.length ? 'ok' : 'FAIL';
      assert.equal(i1, []);
      // I2: every task started was deleted (204) or seen finished.
      const deleted = new Set(log.filter((e) => e.method === 'DELETE' && e.status === 204).map((e) => e.path.replace('/tasks/', '')));
      const journalFile = stateDirFiles(r.dir)[0]!;
      const journal = readFileSync(journalFile, 'utf8');
      const finished = new Set([...journal.matchAll(/"type":"task-result"[^\n]*"taskId":"([^"]+)"/g)].map((m) => m[1]));
      const orphans = posts.filter((p) => p.taskId && !deleted.has(p.taskId) && !finished.has(p.taskId)).map((p) => p.taskId);
      cells.I2 = orphans.length === 0 ? 'ok' : 'FAIL';
      assert.equal(orphans, [], 'tasks neither deleted nor seen finished');
      // I3: the report and the journal say the same, and agree with the request log.
      const report = JSON.parse(readFileSync(join(r.dir, 'report.json'), 'utf8')) as RunReport;
      const vms = report.steps.flatMap((s) => s.vms ?? []);
      const byName = new Map<string, VmReport>(vms.map((v) => [v.name, v]));
      const lies: string[] = [];
      if (report.outcome !== 'interrupted' || report.exitCode !== code) lies.push(`report ${report.outcome}/${String(report.exitCode)}`);
      for (const v of vms) {
        const sent = posts.find((p) => p.taskId !== undefined && p.taskId === v.taskId);
        if (v.state === 'not-started' && posts.length > 0 && v.taskId) lies.push(`${v.name}: not-started with a task`);
        if (v.state === 'stopped' && !(v.taskId && deleted.has(v.taskId))) lies.push(`${v.name}: stopped without a DELETE 204`);
        if ((v.state === 'running' || v.state === 'failed-over') && sent) lies.push(`${v.name}: ${v.state} after an interrupt`);
      }
      if (posts.length !== vms.filter((v) => v.state !== 'not-started').length)
        lies.push(`${posts.length} POSTs but ${vms.filter((v) => v.state !== 'not-started').length} VMs requested`);
      const status = loadRunStatus(join(r.dir, 'state'), report.runId);
      for (const v of status.report.steps.flatMap((s) => s.vms ?? [])) {
        if (byName.get(v.name)?.state !== v.state) lies.push(`${v.name}: journal ${v.state}, report ${byName.get(v.name)?.state}`);
      }
      if (status.display !== 'interrupted') lies.push(`status says ${status.display}`);
      assert.match(r.stderr, `${signal} received`);
      cells.I3 = lies.length === 0 ? 'ok' : 'FAIL';
      assert.equal(lies, []);
      // I5: a VM whose task a DELETE met Running is not failed over in EM; none other was deleted.
      const stopped = new Set(
        log.filter((e) => e.method === 'DELETE' && e.deletedState === 'Running').map((e) => e.path.replace('/tasks/', '')),
      );
      const truth = {
        vms: vms
          .filter((v) => v.taskId && stopped.has(v.taskId))
          .map((v) => ({ id: v.id ?? '', name: v.name, replica: 'SIG-CDP', failedOver: false })),
      } as unknown as SimState;
      const untrue = checkOutcomeTruth(vms, truth, log, finished as Set<string>);
      cells.I5 = untrue.length === 0 && truth.vms.length >= 3 ? 'ok' : 'FAIL';
      assert.equal(untrue, []);
      assert.ok(posts.length >= 3 && posts.length < VMS.length, `${posts.length} POSTs: the signal came mid fan-out`);
      // I4
      const found = secretsIn([
        r.stdout,
        r.stderr,
        journal,
        readFileSync(join(r.dir, 'report.json'), 'utf8'),
        readFileSync(join(r.dir, 'sim.jsonl'), 'utf8'),
      ]);
      cells.I4 = found.length === 0 ? 'ok' : 'FAIL';
      assert.equal(found, []);
    } finally {
      rows.push({ fault: `${signal} mid fan-out [${media}]`, cells, note: `exit ${String(r.code)}` });
    }
  });
}

test('SIGHUP (a dropped SSH session) mid fan-out: running tasks stopped, journal closed, exit 129, the next run not refused', async () => {
  const r = await runAndSignal('SIGHUP', 'xml');
  assert.is(r.code, 129, r.stderr);
  assert.match(r.stderr, 'SIGHUP received');
  const log = readLog(join(r.dir, 'sim.jsonl'));
  const posts = failoverPosts(log);
  assert.ok(posts.length >= 3 && posts.length < VMS.length, `${posts.length} POSTs: the signal came mid fan-out`);
  assert.ok(
    log.some((e) => e.method === 'DELETE' && e.status === 204),
    'no running task was stopped',
  );
  const journal = readFileSync(stateDirFiles(r.dir).find((f) => f.endsWith('.jsonl'))!, 'utf8');
  const end = journal
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string; outcome?: string; exitCode?: number })
    .find((e) => e.type === 'run-end');
  assert.ok(end, 'journal has no run-end');
  assert.is(end!.outcome, 'interrupted');
  assert.is(end!.exitCode, 129);
  const report = JSON.parse(readFileSync(join(r.dir, 'report.json'), 'utf8')) as RunReport;
  assert.is(report.exitCode, 129);
  // The lock is released: the next run of the same playbook with the same state dir starts.
  const next = await runCli(['run', 'pb.yaml', '--simulate', '--inventory', 'inv.json', '--time-scale', '600', '--state-dir', 'state'], {
    cwd: r.dir,
  });
  assert.is.not(next.code, 5, next.stderr);
  assert.is(next.code, 0, next.stderr);
});

test('kill -9 mid fan-out, then `runbook status`: every requested VM not seen finished is listed, with its task', async () => {
  const r = await runAndSignal('SIGKILL', 'xml', 4);
  const cells: Record<string, string> = { I1: 'n/a', I2: '-' };
  try {
    assert.is(r.signal, 'SIGKILL');
    assert.not.ok(existsSync(join(r.dir, 'report.json')), 'no report after kill -9');
    const journalFile = stateDirFiles(r.dir)[0]!;
    const journal = readFileSync(journalFile, 'utf8');
    const intents = [...journal.matchAll(/"type":"request-intent"[^\n]*"target":"([^"]+)"/g)].map((m) => m[1]!);
    const accepted = new Map(
      [...journal.matchAll(/"type":"request-accepted"[^\n]*"target":"([^"]+)","taskId":"([^"]+)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    assert.ok(intents.length >= 4, `${intents.length} intents journaled`);
    const list = await runCli(['status', '--state-dir', join(r.dir, 'state'), '--format', 'json']);
    assert.is(list.code, 0, list.stderr);
    const runs = JSON.parse(list.stdout) as { runId: string; outcome: string; unresolved: number }[];
    assert.is(runs.length, 1);
    assert.is(runs[0]!.outcome, 'crashed');
    const detail = await runCli(['status', '--state-dir', join(r.dir, 'state'), '--run', runs[0]!.runId, '--format', 'json']);
    assert.is(detail.code, 0, detail.stderr);
    const d = JSON.parse(detail.stdout) as { unresolved: { target: string; kind: string; taskId?: string }[] };
    const listed = new Map(d.unresolved.map((u) => [u.target, u]));
    const missing = intents.filter((t) => !listed.has(t));
    // I2 after a crash: each started task is known by id to status (to stop or check).
    const wrongTask = [...accepted].filter(([t, id]) => listed.get(t)?.taskId !== id || listed.get(t)?.kind !== 'in-flight');
    cells.I2 = missing.length === 0 && wrongTask.length === 0 ? 'ok' : 'FAIL';
    assert.equal(missing, [], 'requested VMs missing from status');
    assert.equal(wrongTask, [], 'accepted tasks not listed in flight with their id');
    assert.is(runs[0]!.unresolved, intents.length);
    const text = await runCli(['status', '--state-dir', join(r.dir, 'state'), '--run', runs[0]!.runId]);
    cells.I3 = /crashed/.test(text.stdout) && intents.every((t) => text.stdout.includes(t)) ? 'ok' : 'FAIL';
    assert.match(text.stdout, 'crashed');
    const found = secretsIn([r.stdout, r.stderr, journal, list.stdout, detail.stdout, text.stdout]);
    cells.I4 = found.length === 0 ? 'ok' : 'FAIL';
    assert.equal(found, []);
  } finally {
    rows.push({ fault: 'kill -9 mid fan-out, then status', cells, note: `signal ${String(r.signal)}` });
  }
});

test.after(() => {
  publishTable('runbook-drill-signals', renderTable(`Signal drills (CLI in ${repoRoot})`, ['I1', 'I2', 'I3', 'I4', 'I5'], rows));
});

test.run();
