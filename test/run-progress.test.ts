import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock } from '../engine/clock.js';
import type { Step } from '../engine/playbook/types.js';
import { executePlan } from '../engine/run/execute.js';
import { startProgress } from '../engine/report/progress.js';
import { settleWithin } from '../engine/report/settle.js';
import { executeSetup } from './helpers/execute-setup.js';
import type { FakeVm } from './helpers/fake-em-client.js';
import { common, failoverStep, planFor, recorderFor } from './helpers/plan-fixture.js';

/** The plan of `steps` on a fake EM holding `vms`, and its recorder. */
async function planned(vms: FakeVm[], steps: Step[]) {
  const { clock, em, pb } = executeSetup(vms, steps);
  const plan = await planFor(pb, em.client);
  return { clock, em, plan, ...recorderFor(plan, clock) };
}

/** A stdout or stderr for the view that keeps what it is written: `text()`. */
function sink() {
  let text = '';
  return {
    write: (t: string) => {
      text += t;
    },
    isTTY: false,
    text: () => text,
  };
}

async function runWithProgress(vms: FakeVm[], steps: Step[]) {
  const { clock, em, plan, recorder } = await planned(vms, steps);
  const out = sink();
  const err = sink();
  const progress = startProgress({ plan, recorder, renderer: 'verbose', clock, stdout: out, stderr: err });
  const result = await executePlan({ plan, client: em.client, clock, recorder, signal: new AbortController().signal });
  recorder.end(result.outcome, 0);
  await progress.done;
  return { out: out.text(), err: err.text(), result };
}

const fo = (id: string, vms: string[], over: Parameters<typeof failoverStep>[2] = {}) => failoverStep(id, vms, { concurrency: 5, ...over });

test('verbose progress: a line per event, a subtask per VM with its state, skipped steps', async () => {
  const { out, err } = await runWithProgress(
    [
      { id: 'v1', name: 'db01', durationMs: 8000 },
      { id: 'v2', name: 'db02', durationMs: 8000 },
    ],
    [fo('db', ['db01', 'db02']), { ...common('later'), kind: 'wait', durationMs: 1000, when: { step: 'db', is: ['failed'] } }],
  );
  const all = out + err;
  if (process.env.DEBUG_PROGRESS) console.error(all);
  assert.match(all, /\[STARTED\] \[\d\d:\d\d:\d\d\] db\n/);
  assert.match(all, /db01: running \(task-1\)/);
  assert.match(all, /db02: done/);
  assert.match(all, /later: skipped \(condition not met: step "db" failed\)/);
  // Timestamps on every line without a terminal: the run's clock, in UTC (as the journal).
  assert.match(all, /^Timestamps are UTC\.\n/);
  assert.match(all, /\[STARTED\] \[00:00:00\] db\n/);
});

test('verbose progress: a failed VM and the rollback are shown', async () => {
  const { out, err } = await runWithProgress(
    [
      { id: 'v1', name: 'db01', durationMs: 60_000 },
      { id: 'v2', name: 'db02', durationMs: 5000, fail: 'result-false' },
    ],
    [fo('db', ['db01', 'db02'], { onFailure: 'rollback' })],
  );
  const all = out + err;
  if (process.env.DEBUG_PROGRESS) console.error(all);
  assert.match(all, /\[FAILED\] .*db02: failed 5s: EM reported failure: Replica is locked/);
  // The step is FAILED, not completed, and says why.
  assert.match(all, /\[FAILED\] \[[\d:]+\] db: 1 of 2 VMs failed: db02/);
  assert.not.match(all, /\[COMPLETED\] \[[\d:]+\] db\b/);
  // The rollback is drawn as it happens, one task per action, after the step that caused it.
  const lines = all.split('\n');
  const stepFailed = lines.findIndex((l) => /\[FAILED\] \[[\d:]+\] db: /.test(l));
  const rollback = lines.findIndex((l) => /Rollback: step "db" failed/.test(l));
  const stop = lines.findIndex((l) => /\[COMPLETED\] .*stop db01 \(task-1\): stopped \(DELETE \/tasks\/task-1, confirmed gone\)/.test(l));
  assert.ok(stepFailed >= 0 && rollback > stepFailed && stop > rollback, all);
  assert.match(all, /\[FAILED\] .*db01: stopped/);
});

test('verbose progress: a step timeout stops its task without a rollback; the view still finishes', async () => {
  const { out, err, result } = await runWithProgress(
    [{ id: 'v1', name: 'db01', durationMs: 600_000 }],
    [fo('db', ['db01'], { timeoutMs: 60_000 })],
  );
  const all = out + err;
  if (process.env.DEBUG_PROGRESS) console.error(all);
  assert.is(result.outcome, 'failed');
  assert.match(all, /\[OUTPUT\] \[[\d:]+\] stop db01 \(task-1\): stopped \(DELETE \/tasks\/task-1, confirmed gone\)/);
  assert.match(all, /\[FAILED\] \[[\d:]+\] db01: stopped 1m: stopped: step "db" timed out/);
  assert.match(all, /\[FAILED\] \[[\d:]+\] db: timed out after 1m/);
  assert.not.match(all, /Rollback/);
});

test('B1: a VM ends unknown under abort (a manual check, no rollback): the view ends when the executor ends', async () => {
  const vms: FakeVm[] = [
    { id: 'v1', name: 'db01', fail: 'unknown' },
    { id: 'v2', name: 'db02', durationMs: 8000 },
  ];
  const { clock, em, plan, recorder, journal } = await planned(vms, [fo('db', ['db01', 'db02'], { onFailure: 'abort' }), fo('app', [])]);
  const view = sink();
  const progress = startProgress({ plan, recorder, renderer: 'verbose', clock, realClock: clock, stdout: view, stderr: view });
  const result = await executePlan({ plan, client: em.client, clock, recorder, signal: new AbortController().signal });
  assert.equal(
    result.report.manual.map((m) => [m.target, m.reason]),
    [['db01', 'unknown']],
  );
  assert.is(result.report.rollback.length, 0);
  recorder.end(result.outcome, 1);
  await progress.finish();
  assert.ok(await settleWithin(progress.done, clock, 1000), 'listr2 drew everything');
  assert.not.match(view.text(), /did not finish drawing/);
  assert.match(view.text(), /\[FAILED\] .*db01: unknown/);
  assert.is(journal.at(-1)?.type, 'run-end');
});

test('finish() ends a view whose executor never reported the end of a step (nothing waits forever)', async () => {
  const { clock, plan, recorder } = await planned(
    [{ id: 'v1', name: 'db01' }],
    [fo('db', ['db01']), { ...common('pause'), kind: 'wait', durationMs: 1000 }],
  );
  const view = sink();
  const progress = startProgress({ plan, recorder, renderer: 'verbose', clock, realClock: clock, stdout: view, stderr: view });
  // The executor died after starting the step: no vm state, no step-end, no run-end.
  recorder.stepStart('db');
  await progress.finish();
  assert.ok(await settleWithin(progress.done, clock, 1000));
  assert.not.match(view.text(), /did not finish drawing/);
});

test('settleWithin: true when the view settles, false after the grace when it never does (never rejects)', async () => {
  const clock = new FakeClock({ auto: true });
  assert.is(await settleWithin(Promise.resolve(), clock, 2000), true);
  assert.is(await settleWithin(Promise.reject(new Error('drawing failed')), clock, 2000), true);
  const start = clock.now();
  assert.is(await settleWithin(new Promise(() => undefined), clock, 2000), false);
  assert.is(clock.now() - start, 2000);
});

test.run();
