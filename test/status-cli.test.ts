import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { JournalEntry } from '../engine/state/journal-types.js';
import { runCli } from './helpers/cli.js';
import { deadPid } from './helpers/dead-pid.js';
import { CRASHED_RUN_ID, crashedRunEntries, toJsonl } from './helpers/journal-fixture.js';

const OK_RUN = '20261126T080000Z-0001';

function stateDirWithRuns(): { dir: string; stateDir: string; playbook: string } {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-status-cli-'));
  const playbook = join(dir, 'erp.yaml');
  writeFileSync(playbook, 'version: 1\n');
  const stateDir = join(dir, '.runbook');
  mkdirSync(join(stateDir, 'runs'), { recursive: true });
  writeFileSync(join(stateDir, 'runs', `${CRASHED_RUN_ID}.jsonl`), toJsonl(crashedRunEntries({ pid: deadPid(), playbookFile: playbook })));
  const ok: JournalEntry[] = [
    { ...crashedRunEntries({ pid: deadPid(), playbookFile: playbook })[0]!, runId: OK_RUN, at: '2026-11-26T08:00:00.000Z' } as JournalEntry,
    { at: '2026-11-26T08:00:01.000Z', type: 'step-start', stepId: 'w', name: 'Wait', kind: 'wait' },
    { at: '2026-11-26T08:01:31.000Z', type: 'step-end', stepId: 'w', outcome: 'succeeded' },
    { at: '2026-11-26T08:01:32.000Z', type: 'run-end', outcome: 'succeeded', exitCode: 0 },
  ];
  writeFileSync(join(stateDir, 'runs', `${OK_RUN}.jsonl`), toJsonl(ok));
  return { dir, stateDir, playbook };
}

test('status lists the last runs, newest first, with duration and outcome', async () => {
  const { stateDir } = stateDirWithRuns();
  const r = await runCli(['status', '--state-dir', stateDir]);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[0]!, /^RUN\s+PLAYBOOK\s+STARTED\s+DURATION\s+OUTCOME$/);
  assert.match(lines[1]!, new RegExp(`^${CRASHED_RUN_ID}\\s+ERP failover\\s+2026-11-27T10:22:33Z\\s+-\\s+crashed \\(4 unresolved\\)$`));
  assert.match(lines[2]!, new RegExp(`^${OK_RUN}\\s+ERP failover\\s+2026-11-26T08:00:00Z\\s+1m32s\\s+succeeded$`));
  assert.match(r.stdout, `  runbook rollback --run ${CRASHED_RUN_ID} --state-dir ${stateDir}\n`);
});

test('status finds the state directory beside --playbook, and filters by it', async () => {
  const { dir, playbook } = stateDirWithRuns();
  const r = await runCli(['status', '--playbook', 'erp.yaml', '--format', 'json'], { cwd: dir });
  assert.is(r.code, 0, r.stderr);
  const runs = JSON.parse(r.stdout) as { runId: string; outcome: string; durationMs?: number; unresolved: number; playbookFile: string }[];
  assert.equal(
    runs.map((x) => [x.runId, x.outcome, x.unresolved]),
    [
      [CRASHED_RUN_ID, 'crashed', 4],
      [OK_RUN, 'succeeded', 0],
    ],
  );
  assert.is(runs[1]!.durationMs, 92_000);
  assert.is(runs[0]!.playbookFile, playbook);
  const other = await runCli(['status', '--playbook', 'erp.yaml', '--state-dir', '.runbook', '--format', 'json'], { cwd: dir });
  assert.is(JSON.parse(other.stdout).length, 2);
});

test('status --run: the requested VMs, the tasks in flight, what is unresolved and what to do', async () => {
  const { stateDir } = stateDirWithRuns();
  const r = await runCli(['status', '--state-dir', stateDir, '--run', CRASHED_RUN_ID]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, `Run ${CRASHED_RUN_ID}: ERP failover`);
  assert.match(r.stdout, 'outcome:  crashed');
  assert.match(r.stdout, 'ended without writing run-end');
  assert.match(r.stdout, 'UNRESOLVED (4)');
  assert.match(r.stdout, 'VM erp-app01 (replica CDP Policy ERP): in flight, task task-2');
  assert.match(r.stdout, 'VM erp-app02 (replica CDP Policy ERP): requested, no answer recorded');
  assert.match(r.stdout, 'plan web-plan: in flight, task task-6');
  assert.match(r.stdout, 'failed-over  erp-db01');
  assert.match(r.stdout, 'IS failed over');
  assert.not.match(r.stdout, /erp-app03[^\n]*in flight/);
});

test('status --run --format json carries the unresolved list and the replayed report', async () => {
  const { stateDir } = stateDirWithRuns();
  const r = await runCli(['status', '--state-dir', stateDir, '--run', CRASHED_RUN_ID, '--format', 'json']);
  assert.is(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.is(s.outcome, 'crashed');
  assert.equal(
    s.unresolved.map((u: { target: string; kind: string; taskId?: string }) => [u.target, u.kind, u.taskId ?? null]),
    [
      ['erp-app01', 'in-flight', 'task-2'],
      ['erp-app02', 'unknown', null],
      ['erp-app04', 'unknown', null],
      ['web-plan', 'in-flight', 'task-6'],
    ],
  );
  assert.is(s.report.schema, 'cdp-runbook/report@1');
  assert.is(s.report.steps.length, 4);
});

test('status errors: unknown run, bad run id, bad format → exit 2 without a stack trace', async () => {
  const { stateDir } = stateDirWithRuns();
  const missing = await runCli(['status', '--state-dir', stateDir, '--run', '20990101T000000Z-0000']);
  assert.is(missing.code, 2);
  assert.match(missing.stderr, 'no run "20990101T000000Z-0000"');
  const bad = await runCli(['status', '--state-dir', stateDir, '--run', '../x']);
  assert.is(bad.code, 2);
  const fmt = await runCli(['status', '--state-dir', stateDir, '--format', 'xml']);
  assert.is(fmt.code, 2);
  assert.match(fmt.stderr, '--format must be text or json');
  for (const x of [missing, bad, fmt]) assert.not.match(x.stderr, /\n\s+at /);
});

test('status with no runs says so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-status-empty-'));
  const r = await runCli(['status'], { cwd: dir });
  assert.is(r.code, 0);
  assert.match(r.stdout, `no runs recorded in ${join(dir, '.runbook')}`);
});

test.run();
