// Approval steps in the executor: the run waits (on the injected clock) until the inbox has
// a decision; approved goes on, rejected fails the step under its onFailure, no decision
// within the timeout fails it, Ctrl-C interrupts it. Plus --approve checks and the inbox files.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock } from '../engine/clock.js';
import { approvalStepIds, approvalsAhead } from '../engine/commands/run-approvals.js';
import { InterruptedError, UsageError } from '../engine/errors.js';
import type { Step } from '../engine/playbook/types.js';
import { createInbox, decisionPath, readDecision, writeDecision, type ApprovalInbox, type Decision } from '../engine/state/approvals.js';
import type { ApprovalRecord } from '../engine/state/report-types.js';
import { executePlan } from '../engine/run/execute.js';
import type { ExecRunner } from '../engine/run/exec-runner.js';
import { createFakeEm } from './helpers/fake-em-client.js';
import { common, execStep, planFor, playbook, recorderFor } from './helpers/plan-fixture.js';

const approved: ApprovalRecord = {
  decision: 'approved',
  by: 'dba',
  at: '2026-11-27T10:00:00Z',
  via: 'runbook approve',
  signed: false,
  readAt: '2026-11-27T10:00:00Z',
};
const rejected: ApprovalRecord = { ...approved, decision: 'rejected', reason: 'redo logs missing' };

/** An inbox whose decision shows up on the n-th read (n = 1: there from the start). */
function inboxAfter(reads: number, decision: ApprovalRecord) {
  let n = 0;
  const inbox: ApprovalInbox = {
    open: () => ({ poll: () => (++n >= reads ? { decision, refused: [] } : { refused: [] }) }),
    howTo: (id) => `runbook approve --step ${id}`,
  };
  return { inbox, reads: () => n };
}

async function setup(steps: Step[]) {
  const clock = new FakeClock({ auto: true });
  const em = createFakeEm({ clock, replicas: [] });
  const plan = await planFor(playbook(steps), em.client);
  const { recorder, journal } = recorderFor(plan, clock);
  const calls: string[] = [];
  const exec: ExecRunner = {
    run: async (req) => {
      calls.push(req.command.join(' '));
      return { exitCode: 0, output: '' };
    },
  };
  return { clock, plan, recorder, journal, calls, exec, em };
}

/** Runs the setup's plan, its approval steps decided through `approvals` (none: no inbox at all). */
function execute(s: Awaited<ReturnType<typeof setup>>, approvals?: ApprovalInbox, signal = new AbortController().signal) {
  return executePlan({
    plan: s.plan,
    client: s.em.client,
    clock: s.clock,
    recorder: s.recorder,
    signal,
    exec: s.exec,
    ...(approvals && { approvals }),
  });
}

const gate = (over: Partial<Step> = {}): Step =>
  ({ ...common('gate'), kind: 'approval', message: 'check the database', quorum: 1, ...over }) as Step;

test('the run waits for the decision, then goes on; the journal and the report record who approved', async () => {
  const s = await setup([gate(), execStep('after')]);
  const { inbox, reads } = inboxAfter(4, approved);
  const start = s.clock.now();
  const result = await execute(s, inbox);
  assert.is(result.outcome, 'succeeded');
  assert.is(reads(), 4);
  assert.ok(s.clock.now() - start >= 3_000, 'three one-second waits before the decision came');
  assert.equal(s.calls, ['after']);
  const line = s.journal.find((e) => e.type === 'approval');
  assert.equal(line && { ...line, at: undefined }, {
    at: undefined,
    type: 'approval',
    stepId: 'gate',
    decision: 'approved',
    by: 'dba',
    decidedAt: approved.at,
    via: 'runbook approve',
    signed: false,
    readAt: approved.at,
  });
  assert.equal(result.report.steps[0]!.approval, approved);
});

test('rejected: the step fails with who and why, and its onFailure applies (rollback runs the undo)', async () => {
  const s = await setup([execStep('prep', { undo: ['unprep'] }), gate({ onFailure: 'rollback' }), execStep('after')]);
  const { inbox } = inboxAfter(2, rejected);
  const result = await execute(s, inbox);
  assert.is(result.outcome, 'rolled-back');
  assert.equal(s.calls, ['prep', 'unprep']);
  const step = result.report.steps.find((x) => x.id === 'gate')!;
  assert.is(step.outcome, 'failed');
  assert.is(step.error, 'rejected by dba (unsigned): redo logs missing');
});

test('no decision within the timeout fails the step; a simulated run gives people real time', async () => {
  const s = await setup([gate({ timeoutMs: 60_000 })]);
  const { inbox, reads } = inboxAfter(Number.POSITIVE_INFINITY, approved);
  const start = s.clock.now();
  const result = await execute(s, inbox);
  assert.is(result.outcome, 'failed');
  assert.match(result.report.steps[0]!.error ?? '', /^no decision: timed out after 1m/);
  assert.ok(s.clock.now() - start >= 60_000 && reads() >= 60);

  const scaled = await setup([gate({ timeoutMs: 60_000 })]);
  scaled.plan.server.timeScale = 60;
  const slow = inboxAfter(Number.POSITIVE_INFINITY, approved);
  const t0 = scaled.clock.now();
  await execute(scaled, slow.inbox);
  assert.ok(scaled.clock.now() - t0 >= 60 * 60_000, 'the timeout is a real minute: an hour of simulated time at ×60');
  assert.ok(slow.reads() >= 60 && slow.reads() <= 62, `read once a real second: ${slow.reads()}`);
});

test('Ctrl-C while waiting interrupts the run; without an inbox the step fails at once', async () => {
  const s = await setup([gate(), execStep('after')]);
  const controller = new AbortController();
  let n = 0;
  const inbox: ApprovalInbox = {
    open: () => ({
      poll: () => {
        if (++n === 3) controller.abort(new InterruptedError('SIGINT'));
        return { refused: [] };
      },
    }),
    howTo: () => '',
  };
  const result = await execute(s, inbox, controller.signal);
  assert.is(result.outcome, 'interrupted');
  assert.equal(s.calls, []);

  const none = await setup([gate()]);
  const r = await execute(none);
  assert.is(r.outcome, 'failed');
  assert.match(r.report.steps[0]!.error ?? '', /no approval can reach this run/);
});

test('--approve: only approval steps (in parallel groups too, not those a resumed run did), and a rehearsal without a state dir must decide every one ahead', async () => {
  const s = await setup([
    gate(),
    { ...common('group'), kind: 'parallel', steps: [{ ...common('later'), kind: 'approval', message: 'm', quorum: 1 }, execStep('x')] },
  ]);
  const ids = approvalStepIds(s.plan.steps);
  assert.equal(ids, ['gate', 'later']);
  assert.equal(approvalStepIds(s.plan.steps, new Set(['gate'])), ['later']);
  const o = { hasStateDir: true, by: 'me', at: 'now' };
  assert.equal(
    [...approvalsAhead(ids, ['gate'], o)],
    [['gate', { decision: 'approved', by: 'me', at: 'now', via: '--approve', signed: false, readAt: 'now' }]],
  );
  assert.throws(
    () => approvalsAhead(ids, ['gate'], { ...o, signed: true }),
    /approvers block needs signed decisions, and --approve cannot sign/,
  );
  assert.throws(
    () => approvalsAhead(ids, ['x'], o),
    (e: Error) =>
      e instanceof UsageError && /--approve x: no approval step has this id \(approval steps here: gate, later\)/.test(e.message),
  );
  assert.throws(
    () => approvalsAhead(ids, ['gate'], { ...o, hasStateDir: false }),
    (e: Error) => /step "later" waits for an approval.*pass --approve later/.test(e.message),
  );
  assert.is(approvalsAhead(ids, ['gate', 'later'], { ...o, hasStateDir: false }).size, 2);
});

test('decision files: the first decision stands, garbage is refused once, an unsigned decision records the file owner and the time read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'approvals-'));
  const runId = '20261127T102233Z-3f9a';
  const claimed: Decision = { decision: 'approved', by: 'ciso-alice', at: '2020-01-01T00:00:00Z', via: 'runbook approve' };
  assert.equal(writeDecision(dir, runId, 'gate', claimed), { written: true });
  assert.equal(writeDecision(dir, runId, 'gate', { ...claimed, decision: 'rejected' }), { written: false, existing: claimed });
  // The stat seam: the file was written by another user (uid 4242), whatever it claims.
  const owners: string[] = [];
  const owner = (f: string) => {
    owners.push(f);
    return 'mallory';
  };
  const inbox = createInbox({
    ahead: new Map([['early', rejected]]),
    stateDir: dir,
    runId,
    playbookSha256: 'x',
    now: () => '2026-11-27T10:05:00.000Z',
    owner,
  });
  const open = (id: string) => inbox.open({ id, quorum: 1 }).poll();
  assert.equal(open('gate'), {
    decision: {
      decision: 'approved',
      by: 'mallory',
      at: '2026-11-27T10:05:00.000Z',
      via: 'runbook approve',
      signed: false,
      readAt: '2026-11-27T10:05:00.000Z',
      claimedBy: 'ciso-alice',
    },
    refused: [],
  });
  assert.equal(owners, [decisionPath(dir, runId, 'gate')]);
  assert.equal(open('early').decision, rejected);
  assert.equal(open('other'), { refused: [] });
  assert.match(inbox.howTo('gate'), `runbook approve --run ${runId} --step gate --state-dir ${dir}`);
  writeFileSync(decisionPath(dir, runId, 'other'), '{"decision": "appr');
  assert.is(readDecision(decisionPath(dir, runId, 'other')), undefined);
  const garbage = inbox.open({ id: 'other', quorum: 1 });
  assert.match(garbage.poll().refused[0]?.why ?? '', /not a decision file \(garbage or truncated JSON\)/);
  assert.equal(garbage.poll(), { refused: [] }, 'refused once, not every second');
  assert.throws(() => decisionPath(dir, runId, '../x'), /invalid step id/);
});

test('file owner from the file system: the name from passwd, else the uid', async () => {
  const { fileOwner } = await import('../engine/state/file-owner.js');
  assert.is(
    fileOwner(
      '/x',
      () => ({ uid: 4242 }),
      () => new Map([[4242, 'bob']]),
    ),
    'bob',
  );
  assert.is(
    fileOwner(
      '/x',
      () => ({ uid: 4243 }),
      () => new Map(),
    ),
    'uid 4243',
  );
});

test.run();
