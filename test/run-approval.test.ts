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
import { createInbox, decisionPath, readDecision, writeDecision, type ApprovalInbox, type Decision } from '../engine/run/approvals.js';
import { executePlan } from '../engine/run/execute.js';
import type { ExecRunner } from '../engine/run/exec-runner.js';
import { createFakeEm } from './helpers/fake-em-client.js';
import { common, planFor, playbook, recorderFor } from './helpers/plan-fixture.js';

const approved: Decision = { decision: 'approved', by: 'dba', at: '2026-11-27T10:00:00Z', via: 'runbook approve' };
const rejected: Decision = { decision: 'rejected', by: 'dba', at: '2026-11-27T10:00:00Z', via: 'runbook approve', reason: 'redo logs missing' };

/** An inbox whose decision shows up on the n-th read (n = 1: there from the start). */
function inboxAfter(reads: number, decision: Decision) {
  let n = 0;
  const inbox: ApprovalInbox = { read: () => (++n >= reads ? decision : undefined), howTo: (id) => `runbook approve --step ${id}` };
  return { inbox, reads: () => n };
}

async function setup(steps: Step[]) {
  const clock = new FakeClock({ auto: true });
  const em = createFakeEm({ clock, replicas: [] });
  const plan = await planFor(playbook(steps), em.client);
  const { recorder, journal } = recorderFor(plan, clock);
  const calls: string[] = [];
  const exec: ExecRunner = { run: async (req) => (calls.push(req.command.join(' ')), { exitCode: 0, output: '' }) };
  return { clock, plan, recorder, journal, calls, exec, em };
}

const gate = (over: Partial<Step> = {}): Step => ({ ...common('gate'), kind: 'approval', message: 'check the database', quorum: 1, ...over }) as Step;
const cmd = (id: string, undo?: string[]): Step => ({ ...common(id), kind: 'exec', command: [id], shell: false, env: {}, expectExit: 0, ...(undo ? { undo } : {}) });

test('the run waits for the decision, then goes on; the journal and the report record who approved', async () => {
  const s = await setup([gate(), cmd('after')]);
  const { inbox, reads } = inboxAfter(4, approved);
  const start = s.clock.now();
  const result = await executePlan({ plan: s.plan, client: s.em.client, clock: s.clock, recorder: s.recorder, approvals: inbox, signal: new AbortController().signal, exec: s.exec });
  assert.is(result.outcome, 'succeeded');
  assert.is(reads(), 4);
  assert.ok(s.clock.now() - start >= 3_000, 'three one-second waits before the decision came');
  assert.equal(s.calls, ['after']);
  const line = s.journal.find((e) => e.type === 'approval');
  assert.equal(line && { ...line, at: undefined }, { at: undefined, type: 'approval', stepId: 'gate', decision: 'approved', by: 'dba', decidedAt: approved.at, via: 'runbook approve' });
  assert.equal(result.report.steps[0]!.approval, { decision: 'approved', by: 'dba', at: approved.at, via: 'runbook approve' });
});

test('rejected: the step fails with who and why, and its onFailure applies (rollback runs the undo)', async () => {
  const s = await setup([cmd('prep', ['unprep']), gate({ onFailure: 'rollback' }), cmd('after')]);
  const { inbox } = inboxAfter(2, rejected);
  const result = await executePlan({ plan: s.plan, client: s.em.client, clock: s.clock, recorder: s.recorder, approvals: inbox, signal: new AbortController().signal, exec: s.exec });
  assert.is(result.outcome, 'rolled-back');
  assert.equal(s.calls, ['prep', 'unprep']);
  const step = result.report.steps.find((x) => x.id === 'gate')!;
  assert.is(step.outcome, 'failed');
  assert.is(step.error, 'rejected by dba (runbook approve): redo logs missing');
});

test('no decision within the timeout fails the step; a simulated run gives people real time', async () => {
  const s = await setup([gate({ timeoutMs: 60_000 })]);
  const { inbox, reads } = inboxAfter(Number.POSITIVE_INFINITY, approved);
  const start = s.clock.now();
  const result = await executePlan({ plan: s.plan, client: s.em.client, clock: s.clock, recorder: s.recorder, approvals: inbox, signal: new AbortController().signal, exec: s.exec });
  assert.is(result.outcome, 'failed');
  assert.match(result.report.steps[0]!.error ?? '', /^no decision: timed out after 60s/);
  assert.ok(s.clock.now() - start >= 60_000 && reads() >= 60);

  const scaled = await setup([gate({ timeoutMs: 60_000 })]);
  scaled.plan.server.timeScale = 60;
  const slow = inboxAfter(Number.POSITIVE_INFINITY, approved);
  const t0 = scaled.clock.now();
  await executePlan({ plan: scaled.plan, client: scaled.em.client, clock: scaled.clock, recorder: scaled.recorder, approvals: slow.inbox, signal: new AbortController().signal, exec: scaled.exec });
  assert.ok(scaled.clock.now() - t0 >= 60 * 60_000, 'the timeout is a real minute: an hour of simulated time at ×60');
  assert.ok(slow.reads() >= 60 && slow.reads() <= 62, `read once a real second: ${slow.reads()}`);
});

test('Ctrl-C while waiting interrupts the run; without an inbox the step fails at once', async () => {
  const s = await setup([gate(), cmd('after')]);
  const controller = new AbortController();
  let n = 0;
  const inbox: ApprovalInbox = {
    read: () => {
      if (++n === 3) controller.abort(new InterruptedError('SIGINT'));
      return undefined;
    },
    howTo: () => '',
  };
  const result = await executePlan({ plan: s.plan, client: s.em.client, clock: s.clock, recorder: s.recorder, approvals: inbox, signal: controller.signal, exec: s.exec });
  assert.is(result.outcome, 'interrupted');
  assert.equal(s.calls, []);

  const none = await setup([gate()]);
  const r = await executePlan({ plan: none.plan, client: none.em.client, clock: none.clock, recorder: none.recorder, signal: new AbortController().signal, exec: none.exec });
  assert.is(r.outcome, 'failed');
  assert.match(r.report.steps[0]!.error ?? '', /no approval can reach this run/);
});

test('--approve: only approval steps (in parallel groups too, not those a resumed run did), and a rehearsal without a state dir must decide every one ahead', async () => {
  const s = await setup([gate(), { ...common('group'), kind: 'parallel', steps: [{ ...common('later'), kind: 'approval', message: 'm', quorum: 1 }, cmd('x')] }]);
  const ids = approvalStepIds(s.plan.steps);
  assert.equal(ids, ['gate', 'later']);
  assert.equal(approvalStepIds(s.plan.steps, new Set(['gate'])), ['later']);
  const o = { hasStateDir: true, by: 'me', at: 'now' };
  assert.equal([...approvalsAhead(ids, ['gate'], o)], [['gate', { decision: 'approved', by: 'me', at: 'now', via: '--approve' }]]);
  assert.throws(() => approvalsAhead(ids, ['x'], o), (e: Error) => e instanceof UsageError && /--approve x: no approval step has this id \(approval steps here: gate, later\)/.test(e.message));
  assert.throws(() => approvalsAhead(ids, ['gate'], { ...o, hasStateDir: false }), (e: Error) => /step "later" waits for an approval.*pass --approve later/.test(e.message));
  assert.is(approvalsAhead(ids, ['gate', 'later'], { ...o, hasStateDir: false }).size, 2);
});

test('decision files: the first decision stands, garbage is no decision, the inbox reads them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'approvals-'));
  const runId = '20261127T102233Z-3f9a';
  assert.equal(writeDecision(dir, runId, 'gate', approved), { written: true });
  assert.equal(writeDecision(dir, runId, 'gate', rejected), { written: false, existing: approved });
  const inbox = createInbox({ ahead: new Map([['early', rejected]]), stateDir: dir, runId });
  assert.equal(inbox.read('gate'), approved);
  assert.equal(inbox.read('early'), rejected);
  assert.is(inbox.read('other'), undefined);
  assert.match(inbox.howTo('gate'), `runbook approve --run ${runId} --step gate --state-dir ${dir}`);
  writeFileSync(decisionPath(dir, runId, 'other'), '{"decision": "maybe"}');
  assert.is(readDecision(decisionPath(dir, runId, 'other')), undefined);
  assert.throws(() => decisionPath(dir, runId, '../x'), /invalid step id/);
});

test.run();
