import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock } from '../engine/clock.js';
import type { Step } from '../engine/playbook/types.js';
import { executePlan } from '../engine/run/execute.js';
import { startProgress } from '../engine/run/progress.js';
import { createFakeEm, type FakeVm } from './helpers/fake-em-client.js';
import { common, planFor, playbook, recorderFor } from './helpers/plan-fixture.js';

async function runWithProgress(vms: FakeVm[], steps: Step[]) {
  const clock = new FakeClock({ auto: true });
  const em = createFakeEm({ clock, replicas: [{ id: 'r1', name: 'R', vms }] });
  const plan = await planFor(playbook(steps), em.client);
  const { recorder } = recorderFor(plan, clock);
  let out = '';
  let err = '';
  const progress = startProgress({
    plan,
    recorder,
    renderer: 'verbose',
    clock,
    stdout: { write: (t) => (out += t), isTTY: false },
    stderr: { write: (t) => (err += t), isTTY: false },
  });
  const result = await executePlan({ plan, client: em.client, clock, recorder, signal: new AbortController().signal });
  recorder.end(result.outcome, 0);
  await progress.done;
  return { out, err, result };
}

const fo = (id: string, vms: string[], over: Partial<Step> = {}): Step =>
  ({ ...common(id), kind: 'failover', cdpReplica: 'R', vms, restorePoint: { kind: 'latest' }, concurrency: 5, ...over }) as Step;

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
  // Timestamps on every line without a terminal.
  assert.match(all, /\[\d\d:\d\d:\d\d\]/);
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
  assert.match(all, /\[FAILED\] .*db02: failed: EM reported failure: Replica is locked/);
  assert.match(all, /\[STARTED\] .*Rollback/);
  assert.match(all, /delete-task db01 \(task-1\)/);
  assert.match(all, /db01: stopped/);
});

test.run();
