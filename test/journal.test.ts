import { spawnSync } from 'node:child_process';
import { appendFileSync, fsync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock } from '../engine/clock.js';
import { UsageError } from '../engine/errors.js';
import { checkRunId, listRuns, newRunId, openJournal, readJournal } from '../engine/state/journal.js';
import type { JournalEntry } from '../engine/state/journal-types.js';
import { FIXTURE_SECRETS } from './helpers/report-fixture.js';
import { repoRoot } from './helpers/paths.js';

const stateDir = () => join(mkdtempSync(join(tmpdir(), 'runbook-journal-')), '.runbook');
const at = '2026-11-27T10:22:33.000Z';

test('newRunId: sortable UTC stamp plus 4 hex digits from the injected clock and randomness', () => {
  const clock = new FakeClock({ start: Date.parse('2026-11-27T10:22:33.456Z') });
  assert.is(
    newRunId(clock, () => 0.2486),
    '20261127T102233Z-3fa4',
  );
  assert.is(
    newRunId(clock, () => 0),
    '20261127T102233Z-0000',
  );
});

test('run ids that could leave the runs folder are refused', () => {
  assert.throws(
    () => checkRunId('../../etc/passwd'),
    (e: unknown) => e instanceof UsageError,
  );
  assert.throws(
    () => checkRunId(''),
    (e: unknown) => e instanceof UsageError,
  );
  assert.is(checkRunId('20261127T102233Z-3f9a'), '20261127T102233Z-3f9a');
});

test('append writes one JSON line per entry at runs/<runId>.jsonl, and reopening appends', () => {
  const dir = stateDir();
  const j = openJournal(dir, 'r1');
  assert.is(j.path, join(dir, 'runs', 'r1.jsonl'));
  j.append({ at, type: 'step-start', stepId: 's', name: 'S', kind: 'wait' });
  j.close();
  const again = openJournal(dir, 'r1');
  again.append({ at, type: 'run-end', outcome: 'succeeded', exitCode: 0 });
  again.close();
  const lines = readFileSync(join(dir, 'runs', 'r1.jsonl'), 'utf8').split('\n');
  assert.is(lines.length, 3);
  assert.is(lines[2], '');
  assert.equal(
    readJournal(join(dir, 'runs', 'r1.jsonl')).entries.map((e) => e.type),
    ['step-start', 'run-end'],
  );
  assert.throws(() => again.append({ at, type: 'run-end', outcome: 'failed', exitCode: 1 }), /closed/);
});

test('every line survives a kill -9 right after append returns', () => {
  const dir = stateDir();
  const script = `
    import { openJournal } from ${JSON.stringify(join(repoRoot, 'engine/state/journal.ts'))};
    const j = openJournal(${JSON.stringify(dir)}, 'killed');
    j.append({ at: '${at}', type: 'request-intent', stepId: 'db', target: 'erp-db01', method: 'POST', path: '/x' });
    j.append({ at: '${at}', type: 'request-accepted', stepId: 'db', target: 'erp-db01', taskId: 'task-1' });
    process.kill(process.pid, 'SIGKILL');
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot });
  assert.is(child.signal, 'SIGKILL', String(child.stderr));
  const read = readJournal(join(dir, 'runs', 'killed.jsonl'));
  assert.equal(
    read.entries.map((e) => e.type),
    ['request-intent', 'request-accepted'],
  );
  assert.equal(read.problems, []);
});

test('a last line cut short by a crash is reported and ignored; every earlier line is kept', () => {
  const dir = stateDir();
  const j = openJournal(dir, 'cut');
  j.append({ at, type: 'request-intent', stepId: 'db', target: 'erp-db01', method: 'POST', path: '/x' });
  j.append({ at, type: 'request-accepted', stepId: 'db', target: 'erp-db01', taskId: 'task-1' });
  j.close();
  appendFileSync(j.path, '{"at":"2026-11-27T10:22:40.000Z","type":"task-res');
  const read = readJournal(j.path);
  assert.equal(
    read.entries.map((e) => e.type),
    ['request-intent', 'request-accepted'],
  );
  assert.equal(read.problems, ['line 3: cut short (the process died while writing it); ignored']);
});

test('a damaged line in the middle is reported, the rest still read', () => {
  const dir = stateDir();
  const j = openJournal(dir, 'mid');
  j.append({ at, type: 'step-start', stepId: 's', name: 'S', kind: 'wait' });
  appendFileSync(j.path, 'garbage\n');
  j.append({ at, type: 'step-end', stepId: 's', outcome: 'succeeded' });
  j.close();
  const read = readJournal(j.path);
  assert.is(read.entries.length, 2);
  assert.equal(read.problems, ['line 2: unreadable; ignored']);
});

test('registered secrets are redacted before a line is written (never refused: the line matters)', () => {
  const dir = stateDir();
  const j = openJournal(dir, 'secret');
  j.registerSecret(FIXTURE_SECRETS.password);
  j.registerSecret(FIXTURE_SECRETS.token);
  j.registerSecret('');
  const entry: JournalEntry = {
    at,
    type: 'request-failed',
    stepId: 'db',
    target: 'erp-db01',
    unknown: true,
    error: `EM echoed session ${FIXTURE_SECRETS.token} and password ${FIXTURE_SECRETS.password}`,
  };
  j.append(entry);
  j.close();
  const text = readFileSync(j.path, 'utf8');
  assert.not.ok(text.includes(FIXTURE_SECRETS.token));
  assert.not.ok(text.includes(FIXTURE_SECRETS.password));
  assert.not.ok(text.includes(JSON.stringify(FIXTURE_SECRETS.password).slice(1, -1)), 'not even JSON-escaped');
  const [read] = readJournal(j.path).entries;
  assert.equal(read, { ...entry, error: 'EM echoed session [redacted] and password [redacted]' });
  assert.is((entry as { error: string }).error.includes(FIXTURE_SECRETS.token), true, 'the caller’s object is not modified');
});

test('listRuns: newest first, only journal files', () => {
  const dir = stateDir();
  for (const id of ['20261127T102233Z-aaaa', '20261201T000000Z-0001', '20260101T000000Z-ffff']) openJournal(dir, id).close();
  writeFileSync(join(dir, 'runs', 'notes.txt'), 'x');
  assert.equal(
    listRuns(dir).map((r) => r.runId),
    ['20261201T000000Z-0001', '20261127T102233Z-aaaa', '20260101T000000Z-ffff'],
  );
  assert.equal(listRuns(join(dir, 'nope')), []);
});

test('group commit: every line appended in one turn shares one fsync; durable() waits for it', async () => {
  const dir = stateDir();
  const fsyncs: number[] = [];
  const j = openJournal(dir, 'group', {
    fsync: (fd, cb) => {
      fsyncs.push(fd);
      fsync(fd, cb);
    },
  });
  const intent = (target: string): JournalEntry => ({
    at,
    type: 'request-intent',
    stepId: 'db',
    target,
    method: 'POST',
    path: `/${target}`,
  });
  j.append(intent('a'));
  const first = j.durable();
  j.append(intent('b'));
  const second = j.durable();
  j.append(intent('c'));
  await Promise.all([first, second, j.durable()]);
  assert.is(fsyncs.length, 1, 'three lines of one turn, one fsync');
  await j.durable();
  assert.is(fsyncs.length, 1, 'nothing new: no fsync');
  j.append(intent('d'));
  await j.durable();
  assert.is(fsyncs.length, 2);
  j.close();
  assert.equal(
    readJournal(j.path).entries.map((e) => (e.type === 'request-intent' ? e.target : '')),
    ['a', 'b', 'c', 'd'],
  );
});

test('group commit: a line appended while an fsync runs gets an fsync of its own before durable() resolves', async () => {
  const dir = stateDir();
  const pending: Array<() => void> = [];
  const j = openJournal(dir, 'overlap', { fsync: (fd, cb) => pending.push(() => fsync(fd, cb)) });
  j.append({ at, type: 'step-start', stepId: 's', name: 'S', kind: 'wait' });
  let firstDone = false;
  const first = j.durable().then(() => (firstDone = true));
  await new Promise((r) => setImmediate(r));
  assert.is(pending.length, 1, 'the first fsync is under way');
  j.append({ at, type: 'step-end', stepId: 's', outcome: 'succeeded' });
  let secondDone = false;
  const second = j.durable().then(() => (secondDone = true));
  pending.shift()!();
  await first;
  assert.ok(firstDone);
  assert.not.ok(secondDone, 'the second line was not covered by the first fsync');
  while (!secondDone) {
    await new Promise((r) => setImmediate(r));
    pending.shift()?.();
  }
  await second;
  j.close();
});

test('a failed fsync rejects durable() with the error', async () => {
  const j = openJournal(stateDir(), 'eio', { fsync: (_fd, cb) => cb(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' })) });
  j.append({ at, type: 'step-start', stepId: 's', name: 'S', kind: 'wait' });
  await j.durable().then(
    () => assert.unreachable('durable despite a failed fsync'),
    (e: Error) => assert.match(e.message, /EIO/),
  );
  j.close();
});

test.run();
