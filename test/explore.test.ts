// The fault explorer's fixed slice (issue #20): every systematic cell of the small playbook
// (request index k × fault kind), the mix playbook's cells at its task-creating POSTs, and
// 150 seeded schedules of small (about 85 s of CPU in all), each checked against the six invariants of
// test/drills/invariants.ts. The deep run is `npm run explore`.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RequestLogEntry, SimState } from '../engine/simulator/index.js';
import { blankReport } from '../engine/state/report-types.js';
import { TaskReads } from './drills/explore-invariants.js';
import { checkPlanTruth, checkVappTruth } from './drills/subject-truth.js';
import { publishTable } from './drills/table.js';
import { scheduleOfSeed, systematic, type Cell } from './explore/modes.js';
import { runSchedule, violated } from './explore/run-schedule.js';
import { formatSchedule, parseSchedule } from './explore/schedule.js';
import { Tally } from './explore/tally.js';

const tally = new Tally();
const failures: string[] = [];
const note = (cell: Cell) => {
  tally.add(cell);
  for (const inv of violated(cell.result))
    failures.push(`${inv} ${cell.result.violations[inv][0]}\n    npm run explore -- --replay '${cell.result.line}'`);
};

test('a schedule prints as one line that reads back the same; bad lines say what is wrong', () => {
  const line = 'pb=two-tier;media=json;fail=continue;conc=8;poll=1s;dur=2m;faults=503@3,opfin:10m@7,restart@40';
  assert.is(formatSchedule(parseSchedule(line)), line);
  assert.equal(parseSchedule('pb=small;faults=opfin@4').faults, [{ kind: 'opfin', at: 4 }]);
  assert.throws(() => parseSchedule('pb=small;faults=melt@4'), /fault kind "melt" is not one of reset-before/);
  assert.throws(() => parseSchedule('pb=huge'), /pb "huge" is not one of small, two-tier, erp, mix/);
  assert.throws(() => parseSchedule('pb=small;faults=503'), /"503" is not kind\[:arg\]@k/);
  assert.equal(scheduleOfSeed(42), scheduleOfSeed(42), 'a seed always draws the same schedule');
});

test('the DELETE check: allowed after a read showed Running or Finished, flagged after OperationFinished or a failed read', () => {
  let tasks: SimState['tasks'] = [];
  const state = () => ({ tasks }) as SimState;
  const reads = new TaskReads();
  let seq = 0;
  const req = (method: string, path: string, status = 200, fault?: RequestLogEntry['fault']) =>
    reads.observe({ seq: ++seq, at: '', method, path, query: '', status, session: 's1', ...(fault ? { fault } : {}) }, state);
  const task = (id: string, st: 'Running' | 'OperationFinished' | 'Finished') => ({
    taskId: id,
    session: 's1',
    operation: 'StartFailover',
    state: st,
    deleted: false,
    subject: 'vm:a',
  });
  tasks = [task('task-1', 'Running'), task('task-2', 'OperationFinished'), task('task-3', 'Finished'), task('task-4', 'Running')];
  req('GET', '/tasks');
  req('GET', '/tasks/task-4', 503);
  for (const id of ['task-1', 'task-2', 'task-3', 'task-4', 'task-5']) req('DELETE', `/tasks/${id}`, 204);
  req('DELETE', '/logonSessions/x', 204);
  assert.equal(
    reads.badDeletes.map((m) => m.split(' (')[0]),
    ['DELETE /tasks/task-2', 'DELETE /tasks/task-4', 'DELETE /tasks/task-5'],
  );
  assert.match(reads.badDeletes[0]!, 'after its last read showed OperationFinished');
  assert.match(reads.badDeletes[1]!, 'after its last read showed no answer (503)');
  // A DELETE with no answer (it may have been processed) needs a new read before the next
  // one; a refused one (401) does not.
  tasks = [task('task-6', 'Running'), task('task-7', 'Running')];
  req('GET', '/tasks');
  req('DELETE', '/tasks/task-6', 0, 'hang');
  req('DELETE', '/tasks/task-6', 204);
  req('DELETE', '/tasks/task-7', 401, 'expire-session');
  req('DELETE', '/tasks/task-7', 204);
  assert.equal(
    reads.badDeletes.slice(3).map((m) => m.split(' (')[0]),
    ['DELETE /tasks/task-6'],
  );
  assert.match(reads.badDeletes[3]!, 'after its last read showed a DELETE with no answer (seq');
});

test('systematic: every request index × every fault kind on the small playbook', async () => {
  for await (const cell of systematic(['small'])) note(cell);
  assert.ok(tally.total > 150, `only ${tally.total} cells`);
});

test('the mix playbook (vApp, plan, exec with undo, approval): every fault kind at each POST that creates a task', async () => {
  const before = tally.total;
  for await (const cell of systematic(['mix'], (k, posts) => posts.has(k))) note(cell);
  // The fault-free run and 10 kinds at each of its 5 task POSTs (vApp, plan, 3 CDP VMs).
  assert.is(tally.total - before, 51);
});

test('the mix rolls back its exec step with the undo, and reports its vApp and plan as EM has them', async () => {
  // crm-web02's task fails (request 38): the rollback runs the exec undo and undoes the plan;
  // the vApp and two CDP VMs stay failed over (EM cannot undo them), listed for the operator.
  const e = await runSchedule(parseSchedule('pb=mix;faults=task-fail@38'));
  assert.equal(violated(e), []);
  assert.is(e.exitCode, 1);
  assert.equal(e.execs, [['true'], ['true']], 'the command, then its undo');
  assert.match(e.output, /undo failover plan DNS cutover plan.*: plan undone/);
  assert.match(e.output, 'vApp "web-vapp" IS failed over');
});

test('the shipped ERP example runs on the demo inventory; a failing app VM leaves the others for the operator', async () => {
  const clean = await runSchedule(parseSchedule('pb=erp;faults='));
  assert.equal([violated(clean), clean.exitCode], [[], 0]);
  assert.match(clean.output, 'failed over:   erp-db01, erp-db02, erp-app01, erp-app02');
  // Only `notify` opts into rehearsal (rehearse: run); it is recorded, never spawned.
  assert.equal(
    clean.execs.map((c) => c.slice(0, 2)),
    [['sh', '-c']],
  );
  const failing = await runSchedule(parseSchedule('pb=erp;faults=task-fail@21'));
  assert.equal([violated(failing), failing.exitCode], [[], 1]);
  assert.match(failing.output, 'failed:        erp-app02 (EM reported failure: Injected: cannot lock the replica)');
  assert.match(failing.output, 'VM "erp-app01" IS failed over');
});

test('I3 for vApps and plans: a report that claims what EM did not do is flagged', () => {
  const state = {
    vApps: [{ id: 'a1', name: 'web-vapp', failedOver: true }],
    plans: [{ id: 'p1', name: 'DNS plan', active: false }],
    tasks: [],
  } as unknown as SimState;
  const vm = { name: 'web-vapp', replica: 'web-vapp', restorePoint: 'latest', state: 'stopped' as const, taskId: 'task-1' };
  const report = blankReport('r', {
    steps: [
      { id: 'web', name: 'web', kind: 'failoverVapp', outcome: 'failed', vms: [vm] },
      { id: 'dns', name: 'dns', kind: 'failoverPlan', outcome: 'succeeded', plan: { name: 'DNS plan', action: 'start', taskId: 'task-2' } },
    ],
  });
  assert.equal(checkVappTruth(report, state, new Set()), ['vApp web-vapp: reported stopped, EM failed it over']);
  assert.equal(checkPlanTruth(report, state), ['plan DNS plan: reported started (not undone), EM says it is not in failover']);
  const undone = {
    ...report,
    rollback: [{ at: '', action: 'undo-plan' as const, stepId: 'dns', target: 'DNS plan', ok: true, message: 'plan undone' }],
  };
  assert.equal(checkPlanTruth(undone, state), []);
  const active = { ...state, plans: [{ id: 'p1', name: 'DNS plan', active: true }] };
  assert.equal(checkPlanTruth(undone, active), [
    'plan DNS plan: in failover in EM, but the step reads succeeded and undone and no manual action names it',
  ]);
});

test('150 seeded schedules of the small playbook', async () => {
  let small = 0;
  for (let seed = 1; small < 150; seed++) {
    const schedule = scheduleOfSeed(seed);
    if (schedule.pb !== 'small') continue;
    small++;
    note({ schedule, result: await runSchedule(schedule), origin: `seed ${seed}` });
  }
});

test('no invariant is violated in the slice', () => {
  const shown = failures.slice(0, 12).join('\n');
  assert.is(failures.length, 0, `${failures.length} violations (first ${Math.min(12, failures.length)}):\n${shown}`);
});

test.after(() => {
  publishTable('runbook-explore-slice', tally.render('Fault explorer, npm test slice: fault kind × invariant'));
});

test.run();
