// Spawns the built CLI: what a rehearsal leaves behind with --state-dir (journal, report
// JSON) and what reads it (status, report, plan's RTO estimate), --html, the closing lines,
// simulated-time labelling, and the line-by-line progress of a failing step.

import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from './helpers/cli.js';
import { playbooksDir } from './helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'runbook-e2e-state-'));
const ERP = join(playbooksDir, 'erp-tiered-failover.yaml');
const STEP_NAMES = [
  'ERP replicas are fresh and have an application-consistent point',
  'Fail over the database tier',
  'Fail over the application tier',
  'Point erp.corp.example at the DR site',
  'Tell the ERP on-call channel',
];

// erp-app02 fails: the app tier fails under onFailure: rollback.
const FAILING = {
  cdpReplicas: [
    {
      name: 'ERP-CDP',
      vms: [
        { name: 'erp-db01', failoverDuration: '3m' },
        { name: 'erp-db02', failoverDuration: '4m' },
        { name: 'erp-app01', failoverDuration: '5m' },
        { name: 'erp-app02', failoverDuration: '2m', fail: 'Replica is locked by another operation' },
      ],
    },
  ],
};
writeFileSync(join(dir, 'failing.json'), JSON.stringify(FAILING));

const runIdOf = (out: string) => /Run (\S+) of "ERP tiered failover"/.exec(out)?.[1];

test('a rehearsal with --state-dir: journal and report kept, named at the end; status and report read them', async () => {
  const state = join(dir, 'state-ok');
  const r = await runCli(['run', ERP, '--simulate', '--time-scale', '200', '--state-dir', state]);
  assert.is(r.code, 0, r.stderr);
  const runId = runIdOf(r.stdout);
  assert.ok(runId, r.stdout);
  // Simulated time is said as such, with the real duration beside it.
  assert.match(r.stdout, new RegExp(`Run ${runId} of "ERP tiered failover" succeeded in \\S+ of simulated time \\(×200, \\S+ real\\)\\.`));
  assert.match(r.stdout, `runbook status --run ${runId} --state-dir ${state}`);
  assert.match(r.stdout, `runbook report ${runId} --state-dir ${state}`);
  assert.ok(existsSync(join(state, 'runs', `${runId}.jsonl`)));
  const saved = JSON.parse(readFileSync(join(state, 'runs', `${runId}.report.json`), 'utf8')) as {
    runId: string;
    outcome: string;
    server: { simulated: boolean; timeScale?: number };
  };
  assert.equal([saved.runId, saved.outcome, saved.server.simulated, saved.server.timeScale], [runId, 'succeeded', true, 200]);

  const list = await runCli(['status', '--state-dir', state]);
  assert.is(list.code, 0, list.stderr);
  assert.match(list.stdout, new RegExp(`${runId} +ERP tiered failover .* succeeded`));
  const detail = await runCli(['status', '--state-dir', state, '--run', runId!]);
  assert.is(detail.code, 0, detail.stderr);
  assert.match(detail.stdout, /failed-over +erp-app02/);

  const out = join(dir, 'from-state.html');
  const html = await runCli(['report', runId!, '--state-dir', state, '--out', out]);
  assert.is(html.code, 0, html.stderr);
  const page = readFileSync(out, 'utf8');
  assert.match(page, runId!);
  for (const vm of ['erp-db01', 'erp-db02', 'erp-app01', 'erp-app02']) assert.match(page, vm);
});

test('a rehearsal without --state-dir leaves no journal and says how to keep one', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'runbook-e2e-nostate-'));
  const r = await runCli(['run', ERP, '--simulate', '--time-scale', '200'], { cwd });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /Rehearsal not journaled: add --state-dir DIR/);
  assert.not.ok(existsSync(join(playbooksDir, '.runbook')), 'nothing written beside the playbook');
  assert.equal(readdirSync(cwd), []);
});

test('--html writes a self-contained page naming every step', async () => {
  const file = join(dir, 'run.html');
  const r = await runCli(['run', ERP, '--simulate', '--time-scale', '200', '--html', file]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, `Wrote ${file}`);
  const page = readFileSync(file, 'utf8');
  assert.match(page, /^<!DOCTYPE html>/);
  for (const name of STEP_NAMES) assert.match(page, name);
});

test('a failing step is FAILED in the line-by-line progress, and its rollback follows it', async () => {
  const state = join(dir, 'state-fail');
  const r = await runCli(['run', ERP, '--simulate', '--inventory', join(dir, 'failing.json'), '--time-scale', '200', '--state-dir', state]);
  assert.is(r.code, 1, r.stderr);
  const all = `${r.stdout}${r.stderr}`;
  assert.match(r.stdout, /^Timestamps are UTC; times and durations are simulated/);
  assert.match(
    all,
    /\[FAILED\] \[[\d:]+\] Fail over the application tier: 1 of 2 VMs failed: erp-app02: EM reported failure: Replica is locked/,
  );
  assert.not.match(all, /\[COMPLETED\] \[[\d:]+\] Fail over the application tier/);
  assert.match(all, /\[COMPLETED\] \[[\d:]+\] Fail over the database tier/);
  assert.match(all, /\[FAILED\] \[[\d:]+\] erp-app01: stopped \d+m\d*s?: stopped by rollback/);
  assert.match(all, /\[COMPLETED\] \[[\d:]+\] stop erp-app01 \(task-3\): stopped \(DELETE \/tasks\/task-3, confirmed gone\)/);
  assert.match(all, /\[FAILED\] \[[\d:]+\] Rollback: 2 items left for the operator/);
  // The summary goes to stderr on failure, with the commands that read the run.
  const runId = runIdOf(r.stderr);
  assert.ok(runId, r.stderr);
  assert.match(r.stderr, `runbook status --run ${runId} --state-dir ${state}`);
  const saved = JSON.parse(readFileSync(join(state, 'runs', `${runId}.report.json`), 'utf8')) as { outcome: string };
  // The database tier stays failed over (EM cannot undo it): not "rolled back", and the headline says why.
  assert.is(saved.outcome, 'failed');
  assert.match(r.stderr, /FAILED: 2 VMs still failed over \(EM cannot undo a CDP failover\)/);
  assert.not.match(r.stderr, /rolled back\./);
});

test('plan warns when earlier rehearsals say targets.rto cannot be met', async () => {
  const state = join(dir, 'state-rto');
  const slow = { cdpReplicas: [{ name: 'APP-CDP', vms: [{ name: 'vm1', failoverDuration: '20m' }] }] };
  writeFileSync(join(dir, 'slow.json'), JSON.stringify(slow));
  writeFileSync(
    join(dir, 'rto.yaml'),
    `version: 1
name: rto drill
targets:
  rto: 10m
defaults:
  pollInterval: 30s
steps:
  - id: app
    failover:
      cdpReplica: APP-CDP
      vms: [vm1]
      restorePoint: latest
`,
  );
  const before = await runCli(['plan', join(dir, 'rto.yaml'), '--simulate', '--inventory', join(dir, 'slow.json'), '--state-dir', state]);
  assert.is(before.code, 0, before.stderr);
  assert.not.match(before.stderr, /RTO/, 'no history: no estimate');
  const run = await runCli([
    'run',
    join(dir, 'rto.yaml'),
    '--simulate',
    '--inventory',
    join(dir, 'slow.json'),
    '--time-scale',
    '2000',
    '--state-dir',
    state,
  ]);
  assert.is(run.code, 0, run.stderr);
  const after = await runCli(['plan', join(dir, 'rto.yaml'), '--simulate', '--inventory', join(dir, 'slow.json'), '--state-dir', state]);
  assert.is(after.code, 0, after.stderr);
  assert.match(after.stderr, /warning: estimated time to recover 2\dm\d\ds exceeds the RTO target 10m \(from 1 earlier run: app: 1 wave/);
  assert.match(after.stdout, /Estimated time to recover: 2\dm\d\ds \(target 10m\)/);
});

test('B1: a VM left unknown under abort (no rollback): exit 1, summary with UNKNOWN, report and run-end written', async () => {
  const b1 = mkdtempSync(join(dir, 'b1-'));
  writeFileSync(
    join(b1, 'pb.yaml'),
    'version: 1\nname: b1\ndefaults: {onFailure: abort}\nsteps:\n  - id: db\n    failover: {cdpReplica: C, vms: [a, b]}\n',
  );
  writeFileSync(
    join(b1, 'inv.json'),
    JSON.stringify({
      cdpReplicas: [{ name: 'C', vms: ['a', 'b'] }],
      faults: [{ kind: 'reset-before', method: 'POST', path: 'action=failover', nth: 1 }],
    }),
  );
  const state = join(b1, 'state');
  const r = await runCli(
    ['run', 'pb.yaml', '--simulate', '--inventory', 'inv.json', '--time-scale', '1000', '--report', 'r.json', '--state-dir', state],
    { cwd: b1 },
  );
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /UNKNOWN:\s+a \(outcome unknown, not re-sent/);
  const report = JSON.parse(readFileSync(join(b1, 'r.json'), 'utf8')) as { outcome: string; exitCode: number };
  assert.equal([report.outcome, report.exitCode], ['failed', 1]);
  const journals = readdirSync(join(state, 'runs')).filter((f) => f.endsWith('.jsonl'));
  const last = readFileSync(join(state, 'runs', journals[0]!), 'utf8')
    .trim()
    .split('\n')
    .pop()!;
  assert.match(last, /"type":"run-end","outcome":"failed","exitCode":1/);
});

test('run --help says what an interrupt does to always: true steps, and the credentials precedence', async () => {
  const r = await runCli(['run', '--help']);
  assert.is(r.code, 0);
  assert.match(r.stdout, /steps\s+with always: true included \("the run was interrupted"\)/);
  assert.match(r.stdout, /--server URL\s+Enterprise Manager URL \(overrides VEEAM_EM_URL, which overrides\s+server\.url/);
});

test('a 30-VM step at concurrency 30 prints no MaxListenersExceededWarning', async () => {
  const d = mkdtempSync(join(dir, 'ml-'));
  const vms = Array.from({ length: 30 }, (_, i) => `v${i}`).join(', ');
  writeFileSync(
    join(d, 'pb.yaml'),
    `version: 1\nname: ml\nsteps:\n  - id: db\n    failover: {cdpReplica: C, vms: [${vms}], concurrency: 30}\n`,
  );
  const r = await runCli(['run', 'pb.yaml', '--simulate', '--time-scale', '1000'], { cwd: d });
  assert.is(r.code, 0, r.stderr);
  assert.not.match(r.stderr, /MaxListenersExceededWarning/);
});

test.run();
