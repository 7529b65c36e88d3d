import { mkdtempSync, writeFileSync, mkdirSync, appendFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readJournal } from '../engine/state/journal.js';
import type { JournalEntry } from '../engine/state/journal-types.js';
import { renderRunDetail } from '../engine/report/status-render.js';
import { loadRunStatus, statusFromEntries } from '../engine/state/run-status.js';
import { CRASHED_RUN_ID, crashedRunEntries, toJsonl } from './helpers/journal-fixture.js';

const dead = { isAlive: () => false, hostname: hostname() };
const status = (entries: JournalEntry[], probe = dead) => statusFromEntries(CRASHED_RUN_ID, '/j.jsonl', { entries, problems: [] }, probe);

test('a crashed run: names exactly the in-flight tasks and the requests of unknown outcome', () => {
  const s = status(crashedRunEntries({ pid: 4242 }));
  assert.is(s.liveness, 'crashed');
  assert.is(s.display, 'crashed');
  assert.is(s.report.outcome, 'interrupted');
  const unresolved = s.unresolved.map((u) => [u.kind, u.request.target, u.request.taskId ?? null]);
  assert.equal(unresolved, [
    ['in-flight', 'erp-app01', 'task-2'],
    ['unknown', 'erp-app02', null],
    ['unknown', 'erp-app04', null],
    ['in-flight', 'web-plan', 'task-6'],
  ]);
  assert.match(s.unresolved[0]!.instruction, 'VM "erp-app01" of replica "CDP Policy ERP"');
  assert.match(s.unresolved[1]!.instruction, 'no answer was recorded');
});

test('the replayed report: steps, VM states, plan, events, RTO', () => {
  const { report } = status(crashedRunEntries({ pid: 4242 }));
  assert.equal(
    report.steps.map((s) => [s.id, s.outcome, s.parentId ?? null]),
    [
      ['tiers', 'running', null],
      ['db-tier', 'succeeded', 'tiers'],
      ['app-tier', 'running', 'tiers'],
      ['plan', 'running', 'tiers'],
    ],
  );
  const app = report.steps.find((s) => s.id === 'app-tier')!;
  assert.equal(
    app.vms!.map((v) => [v.name, v.state]),
    [
      ['erp-app01', 'running'],
      ['erp-app02', 'unknown'],
      ['erp-app03', 'failed'],
      ['erp-app04', 'unknown'],
    ],
  );
  assert.is(app.vms![2]!.replica, 'r-erp', 'replica id from the path when no name was recorded');
  const db = report.steps.find((s) => s.id === 'db-tier')!.vms![0]!;
  assert.equal([db.state, db.taskId, db.durationMs, db.message], ['failed-over', 'task-1', 38_000, 'Ok']);
  assert.equal(report.steps.find((s) => s.id === 'plan')!.plan, { name: 'web-plan', action: 'start', id: 'fp-1', taskId: 'task-6' });
  assert.is(report.events.length, 1);
  assert.is(report.achieved.rtoMs, 40_000);
  assert.is(report.server.url, 'https://em01.lab.local:9398');
  // The failed-over VM of a run that did not succeed is a manual action.
  assert.ok(report.manual.some((m) => m.target === 'erp-db01' && m.reason === 'failed-over'));
});

test('a run whose process is still alive is running: in-flight tasks are not unresolved', () => {
  const s = status(crashedRunEntries({ pid: 4242 }), { isAlive: () => true, hostname: hostname() });
  assert.is(s.liveness, 'running');
  assert.is(s.report.outcome, 'running');
  assert.equal(s.unresolved, []);
});

test('a run from another host without run-end: cannot tell, and says so', () => {
  const s = status(crashedRunEntries({ pid: 4242, host: 'other-box' }), { isAlive: () => true, hostname: 'this-box' });
  assert.is(s.liveness, 'elsewhere');
  assert.is(s.display, 'unfinished (ran on other-box)');
  assert.is(s.unresolved.length, 4);
});

test('a finished run: outcome from run-end; a task stopped by rollback is resolved', () => {
  const entries: JournalEntry[] = [
    ...crashedRunEntries({ pid: 4242 }),
    {
      at: '2026-11-27T10:30:00.000Z',
      type: 'rollback',
      action: 'delete-task',
      stepId: 'app-tier',
      target: 'erp-app01',
      taskId: 'task-2',
      ok: true,
      message: '204',
    },
    {
      at: '2026-11-27T10:30:01.000Z',
      type: 'task-result',
      stepId: 'plan',
      target: 'web-plan',
      taskId: 'task-6',
      success: false,
      message: 'plan failed',
    },
    { at: '2026-11-27T10:30:02.000Z', type: 'run-end', outcome: 'rolled-back', exitCode: 1 },
  ];
  const s = status(entries, { isAlive: () => true, hostname: hostname() });
  assert.is(s.liveness, 'finished');
  assert.is(s.display, 'rolled-back');
  assert.equal(
    s.unresolved.map((u) => u.request.target),
    ['erp-app02', 'erp-app04'],
  );
  const app01 = s.report.steps.find((x) => x.id === 'app-tier')!.vms![0]!;
  assert.is(app01.state, 'stopped');
  assert.equal(
    s.report.rollback.map((a) => a.action),
    ['delete-task'],
  );
});

test('a rollback action that failed stays a manual action until a later one succeeds', () => {
  const base = crashedRunEntries({ pid: 4242 });
  const failed: JournalEntry = {
    at: '2026-11-27T10:30:00.000Z',
    type: 'rollback',
    action: 'exec-undo',
    stepId: 'x',
    target: 'undo.sh',
    ok: false,
    message: 'exit 3',
  };
  assert.ok(status([...base, failed]).report.manual.some((m) => m.reason === 'rollback-failed' && m.target === 'undo.sh'));
  const fixed: JournalEntry = { ...failed, ok: true, message: 'exit 0' };
  assert.not.ok(status([...base, failed, fixed]).report.manual.some((m) => m.reason === 'rollback-failed'));
});

test('from a journal cut short by a crash: the readable lines are replayed and the cut is reported', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'runbook-status-')), '.runbook');
  mkdirSync(join(dir, 'runs'), { recursive: true });
  const file = join(dir, 'runs', `${CRASHED_RUN_ID}.jsonl`);
  writeFileSync(file, toJsonl(crashedRunEntries({ pid: 4242 })));
  appendFileSync(file, '{"at":"2026-11-27T10:23:30.000Z","type":"task-result","stepId":"app-tier","tar');
  const s = loadRunStatus(dir, CRASHED_RUN_ID, dead);
  assert.is(readJournal(file).entries.length, crashedRunEntries({ pid: 1 }).length);
  assert.is(s.unresolved.length, 4);
  assert.equal(s.problems, ['line 20: cut short (the process died while writing it); ignored']);
  const text = renderRunDetail(s, dir);
  assert.match(text, 'UNRESOLVED (4)');
  assert.match(text, 'journal: line 20: cut short');
  assert.match(text, `Next: runbook rollback --run 20261127T102233Z-3f9a --state-dir ${dir}   (`);
});

test('a task accepted, then lost (its session ended): replays as unknown with the reason, listed for a manual check', () => {
  const entries = crashedRunEntries({ pid: 4242 });
  const accepted = entries.findIndex((e) => e.type === 'request-accepted' && e.target === 'erp-app01');
  entries.splice(accepted + 1, 0, {
    at: '2026-11-27T10:23:40.000Z',
    type: 'task-lost',
    stepId: 'app-tier',
    target: 'erp-app01',
    taskId: 'task-2',
    error: 'task task-2 is unreachable: it belongs to an earlier logon session',
  });
  const s = status(entries);
  const vm = s.report.steps.flatMap((x) => x.vms ?? []).find((v) => v.name === 'erp-app01')!;
  assert.is(vm.state, 'unknown');
  assert.is(vm.taskId, 'task-2');
  assert.match(vm.message ?? '', /earlier logon session/);
  assert.is(vm.finishedAt, '2026-11-27T10:23:40.000Z');
  const u = s.unresolved.find((x) => x.request.target === 'erp-app01')!;
  assert.is(u.kind, 'unknown');
});

test.run();
