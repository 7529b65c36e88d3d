// Damaged journals beside good ones: a run-start cut short, one lacking its fields, and
// garbage. The crash-recovery tools never crash on them: `status` lists the good runs and
// names each bad file; `status --run`, `report`, `rollback --run` and `run --resume` on a
// bad one say which file is damaged (no TypeError, no "undefined", no broken hint).

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../engine/errors.js';
import type { JournalEntry } from '../engine/state/journal-types.js';
import { resumableRun } from '../engine/state/earlier-run.js';
import { runCli } from './helpers/cli.js';
import { deadPid } from './helpers/dead-pid.js';
import { CRASHED_RUN_ID, crashedRunEntries, toJsonl } from './helpers/journal-fixture.js';

const TRUNCATED = '20261128T010000Z-0001';
const LACKING = '20261128T020000Z-0002';
const GARBAGE = '20261128T030000Z-0003';
const BAD = [TRUNCATED, LACKING, GARBAGE];

function damagedStateDir(): { stateDir: string; playbook: string } {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-damaged-'));
  const playbook = join(dir, 'erp.yaml');
  writeFileSync(playbook, 'version: 1\n');
  const stateDir = join(dir, '.runbook');
  const runs = join(stateDir, 'runs');
  mkdirSync(runs, { recursive: true });
  writeFileSync(join(runs, `${CRASHED_RUN_ID}.jsonl`), toJsonl(crashedRunEntries({ pid: deadPid(), playbookFile: playbook })));
  writeFileSync(join(runs, `${TRUNCATED}.jsonl`), '{"at":"2026-11-28T01:00:00.000Z","type":"run-start","runId":"2026112');
  const lacking: JournalEntry[] = [
    { at: '2026-11-28T02:00:00.000Z', type: 'run-start', runId: LACKING } as unknown as JournalEntry,
    { at: '2026-11-28T02:00:01.000Z', type: 'step-start', stepId: 'db', name: 'DB', kind: 'failover' },
    {
      at: '2026-11-28T02:00:02.000Z',
      type: 'request-intent',
      stepId: 'db',
      target: 'erp-db01',
      method: 'POST',
      path: '/cdpReplicas/r/vms/v?action=failover',
    },
    { at: '2026-11-28T02:00:03.000Z', type: 'request-accepted', stepId: 'db', target: 'erp-db01', taskId: 'task-9' },
  ];
  writeFileSync(join(runs, `${LACKING}.jsonl`), toJsonl(lacking));
  writeFileSync(join(runs, `${GARBAGE}.jsonl`), '\u0000\u0001garbage}{[\n42\n"text"\nnull\n{"type":7}\n');
  return { stateDir, playbook };
}

const noCrash = (r: { stdout: string; stderr: string }) => {
  assert.not.match(r.stderr, /TypeError|internal error|\n\s+at /);
  assert.not.match(r.stdout + r.stderr, /undefined/);
};

test('status lists the good runs and names each damaged journal, text and JSON', async () => {
  const { stateDir } = damagedStateDir();
  const text = await runCli(['status', '--state-dir', stateDir]);
  assert.is(text.code, 0, text.stderr);
  noCrash(text);
  assert.match(text.stdout, new RegExp(`${CRASHED_RUN_ID}\\s+ERP failover`));
  for (const id of BAD) {
    assert.not.match(text.stdout, id);
    assert.match(text.stderr, `skipped ${join(stateDir, 'runs', `${id}.jsonl`)}: damaged journal: no readable run-start line`);
  }
  const json = await runCli(['status', '--state-dir', stateDir, '--format', 'json']);
  assert.is(json.code, 0, json.stderr);
  noCrash(json);
  assert.equal(
    (JSON.parse(json.stdout) as { runId: string }[]).map((r) => r.runId),
    [CRASHED_RUN_ID],
  );
});

test('status --run on a damaged journal shows what it still tells, without a broken hint', async () => {
  const { stateDir } = damagedStateDir();
  for (const id of BAD) {
    const r = await runCli(['status', '--state-dir', stateDir, '--run', id]);
    assert.is(r.code, 0, r.stderr);
    noCrash(r);
    assert.match(r.stdout, `Run ${id}: damaged journal (no readable run-start line)`);
    assert.match(r.stdout, 'journal: line 1:');
    assert.not.match(r.stdout, /--resume|runbook rollback/);
    const json = await runCli(['status', '--state-dir', stateDir, '--run', id, '--format', 'json']);
    assert.is(json.code, 0, json.stderr);
    assert.ok(JSON.parse(json.stdout).problems.length > 0);
  }
});

test('report and rollback --run on a damaged journal: exit 2 naming the file', async () => {
  const { stateDir } = damagedStateDir();
  for (const id of BAD) {
    const path = join(stateDir, 'runs', `${id}.jsonl`);
    const report = await runCli(['report', id, '--state-dir', stateDir, '--out', join(stateDir, 'x.html')]);
    assert.is(report.code, 2, report.stderr);
    noCrash(report);
    assert.match(report.stderr, `the journal ${path} is damaged: no readable run-start line`);
    const rollback = await runCli(['rollback', '--run', id, '--state-dir', stateDir, '--yes']);
    assert.is(rollback.code, 2, rollback.stderr);
    noCrash(rollback);
    assert.match(rollback.stderr, `the journal ${path} is damaged`);
  }
});

test('run --resume from a damaged journal is refused naming the file', () => {
  const { stateDir, playbook } = damagedStateDir();
  for (const id of BAD) {
    assert.throws(
      () => resumableRun(stateDir, playbook, id, { isAlive: () => false }),
      (e: unknown) =>
        e instanceof UsageError && e.message.includes(`--resume ${id}: the journal ${join(stateDir, 'runs', `${id}.jsonl`)} is damaged`),
    );
  }
});

test.run();
