// Exec steps in the executor: undo commands on rollback (newest first, with a plan undo;
// CDP failovers left for the operator), the RUNBOOK_* variables a command sees, `when`
// conditions, `always` steps and the continue policy, and the retry backoff on the clock.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ExecRunner } from '../engine/run/exec-runner.js';
import type { Step } from '../engine/playbook/types.js';
import { planAndExecute, executeSetup as setup } from './helpers/execute-setup.js';
import { common, execStep, failoverStep } from './helpers/plan-fixture.js';

const fakeExec = (codes: Record<string, number>, calls: string[]): ExecRunner => ({
  async run(req) {
    calls.push(req.command.join(' '));
    return { exitCode: codes[req.command.join(' ')] ?? 0, output: '' };
  },
});
/** One attempt: a failing command fails its step at once. */
const once = { retry: { attempts: 1, backoffMs: 1, maxBackoffMs: 1 } };

test('rollback undoes a completed plan start and runs exec undo, newest first; CDP failovers become manual', async () => {
  const calls: string[] = [];
  const steps: Step[] = [
    execStep('prep', { undo: ['unprep'] }),
    { ...common('plan'), kind: 'failoverPlan', plan: 'Plan A', action: 'start' },
    failoverStep('db', ['vm1']),
    execStep('notify', { ...once, command: ['boom'], onFailure: 'rollback' }),
  ];
  const s = setup([{ id: 'v1', name: 'vm1' }], steps, { plans: [{ id: 'p1', name: 'Plan A' }] });
  const { result } = await planAndExecute(s, { exec: fakeExec({ boom: 1 }, calls) });
  // vm1 stays failed over (EM cannot undo a CDP failover): the run is not "rolled back".
  assert.is(result.outcome, 'failed');
  assert.equal(calls, ['prep', 'boom', 'unprep']);
  assert.ok(s.em.log.includes('POST /failoverPlans/p1?action=undo'));
  assert.equal(
    result.report.rollback.map((r) => r.action),
    ['undo-plan', 'exec-undo', 'manual'],
  );
  assert.equal(
    result.report.manual.map((m) => [m.target, m.reason]),
    [['vm1', 'failed-over']],
  );
});

test('exec commands and their undo learn the run through RUNBOOK_* variables (the step env wins, the inherited env does not)', async () => {
  const seen = new Map<string, Record<string, string | undefined>>();
  const exec: ExecRunner = {
    async run(req) {
      seen.set(req.command.join(' '), req.env);
      return { exitCode: req.command[0] === 'fail' ? 1 : 0, output: '' };
    },
  };
  const steps: Step[] = [
    execStep('a', { undo: ['undo-a'] }),
    execStep('b', { ...once, command: ['fail', 'b'], onFailure: 'continue' }),
    execStep('c', { env: { RUNBOOK_PLAYBOOK: 'as written' } }),
    execStep('d', { ...once, command: ['fail', 'd'], onFailure: 'rollback' }),
  ];
  const { plan, result } = await planAndExecute(setup([], steps), { exec, env: { RUNBOOK_RUN_ID: 'stale', HOME: '/home/dr' } });
  assert.is(result.outcome, 'rolled-back');
  const vars = (command: string) => Object.fromEntries(Object.entries(seen.get(command) ?? {}).filter(([k]) => k.startsWith('RUNBOOK_')));
  const runId = result.report.runId;
  const base = {
    RUNBOOK_RUN_ID: runId,
    RUNBOOK_PLAYBOOK: plan.playbook.name,
    RUNBOOK_SIMULATED: String(plan.server.simulated),
    RUNBOOK_STATE_DIR: '',
  };
  assert.equal(vars('a'), {
    ...base,
    RUNBOOK_STEP_ID: 'a',
    RUNBOOK_OUTCOME: 'succeeded',
    RUNBOOK_FAILED_STEPS: '',
    RUNBOOK_ROLLBACK: 'false',
  });
  assert.equal(vars('c'), {
    ...base,
    RUNBOOK_PLAYBOOK: 'as written',
    RUNBOOK_STEP_ID: 'c',
    RUNBOOK_OUTCOME: 'failed',
    RUNBOOK_FAILED_STEPS: 'b',
    RUNBOOK_ROLLBACK: 'false',
  });
  assert.equal(vars('undo-a'), {
    ...base,
    RUNBOOK_STEP_ID: 'a',
    RUNBOOK_OUTCOME: 'failed',
    RUNBOOK_FAILED_STEPS: 'b,d',
    RUNBOOK_ROLLBACK: 'true',
  });
  assert.is(seen.get('a')?.HOME, '/home/dr', 'the rest of the environment is passed on');
});

test('when conditions on step outcomes, always steps after a failure, continue policy', async () => {
  const calls: string[] = [];
  const exec = (id: string, over: Parameters<typeof execStep>[1] = {}) => execStep(id, { ...once, ...over });
  const steps: Step[] = [
    exec('a', { onFailure: 'continue' }),
    exec('b', { when: { step: 'a', is: ['failed'] } }),
    exec('c', { when: { step: 'a', is: ['succeeded'] } }),
    exec('d'),
    exec('e'),
    exec('f', { always: true }),
  ];
  const { result } = await planAndExecute(setup([], steps), { exec: fakeExec({ a: 1, d: 2 }, calls) });
  assert.equal(calls, ['a', 'b', 'd', 'f']);
  assert.is(result.outcome, 'failed');
  assert.equal(
    result.report.steps.map((s) => s.outcome),
    ['failed', 'succeeded', 'skipped', 'failed', 'skipped', 'succeeded'],
  );
});

test('an exec step retries with the one backoff of every step retry: jittered, on the injected clock', async () => {
  let failures = 2;
  const exec: ExecRunner = {
    async run() {
      return { exitCode: failures-- > 0 ? 1 : 0, output: '' };
    },
  };
  const s = setup([], [execStep('notify', { retry: { attempts: 3, backoffMs: 1_000, maxBackoffMs: 10_000 } })]);
  const t0 = s.clock.now();
  const { result } = await planAndExecute(s, { exec, random: () => 0 });
  assert.is(result.outcome, 'succeeded');
  const retries = result.report.events.filter((e) => e.type === 'retry').map((e) => e.message);
  assert.equal(retries, ['notify exited 1 (expected 0); attempt 2 of 3 in 500ms', 'notify exited 1 (expected 0); attempt 3 of 3 in 1s']);
  assert.is(s.clock.now() - t0, 1_500);
});

test.run();
