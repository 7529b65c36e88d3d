// What `--resume` leaves out of a plan, from the earlier run's report (pure).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { countMutatingCalls } from '../engine/plan/render.js';
import { doneIn, resumePlan } from '../engine/plan/resume.js';
import type { Plan, PlanStep } from '../engine/plan/types.js';
import type { RunReport, StepReport, VmReport } from '../engine/state/report-types.js';

const vm = (name: string) => ({
  name,
  id: `id-${name}`,
  replicaId: 'r',
  replicaName: 'ERP-CDP',
  call: { method: 'POST', path: `/x/${name}` },
});
const step = (id: string, kind: PlanStep['kind'], extra: object = {}) =>
  ({ id, name: id, kind, whenStatus: { known: true, value: true }, ...extra }) as unknown as PlanStep;
const plan = (steps: PlanStep[]) => ({ steps, params: {} }) as unknown as Plan;
const report = (steps: Partial<StepReport>[], rollback: RunReport['rollback'] = [], runId = 'run-A') =>
  ({ runId, steps, rollback }) as unknown as RunReport;
const succeeded = (id: string, kind: StepReport['kind']): Partial<StepReport> => ({ id, kind, outcome: 'succeeded' });
/** The plan of `steps` resumed after one earlier run, run-A, whose report holds `reported`. */
const resumeAfter = (steps: PlanStep[], reported: Partial<StepReport>[]) => resumePlan(plan(steps), doneIn([report(reported)]));

const STEPS = [
  step('pre', 'check', { vms: [] }),
  step('db', 'failover', { vms: [vm('db01'), vm('db02')] }),
  step('plan', 'failoverPlan'),
  step('dns', 'exec'),
  step('group', 'parallel', { steps: [step('app', 'failover', { vms: [vm('app01')] }), step('web', 'failoverVapp', { vapp: vm('web') })] }),
];

test('done: completed steps (not undone), failed-over VMs; checks always run again', () => {
  const done = doneIn([
    report(
      [
        succeeded('pre', 'check'),
        {
          id: 'db',
          kind: 'failover',
          outcome: 'failed',
          vms: [
            { name: 'db01', state: 'failed-over' },
            { name: 'db02', state: 'failed' },
          ] as VmReport[],
        },
        succeeded('plan', 'failoverPlan'),
        succeeded('dns', 'exec'),
        { id: 'app', kind: 'failover', outcome: 'succeeded', vms: [{ name: 'app01', state: 'failed-over' }] as VmReport[] },
        { id: 'web', kind: 'failoverVapp', outcome: 'failed', vms: [{ name: 'web', state: 'failed-over' }] as VmReport[] },
      ],
      // The run's rollback undid its plan start: the plan has to be started again.
      [{ at: 't', action: 'undo-plan', stepId: 'plan', target: 'plan', ok: true, message: 'undone' }],
    ),
  ]);
  const resumed = resumePlan(plan(STEPS), done);
  assert.equal(resumed.resumed, {
    runId: 'run-A',
    steps: { dns: 'run-A', app: 'run-A', web: 'run-A', group: 'run-A' },
    vms: { db: ['db01'] },
  });
  const db = resumed.steps[1] as Extract<PlanStep, { kind: 'failover' }>;
  assert.equal(
    db.vms.map((v) => v.name),
    ['db02'],
  );
});

test("an approval given in the earlier run is asked again (a person's check of how things stood then)", () => {
  const steps = [step('gate', 'approval', { message: 'check' }), step('dns', 'exec')];
  const resumed = resumeAfter(steps, [succeeded('gate', 'approval'), succeeded('dns', 'exec')]);
  assert.equal(resumed.resumed.steps, { dns: 'run-A' });
  assert.is(resumed.steps[0]!.kind, 'approval');
});

test("an always: true command runs again on resume (the resumed run's notification goes out); a plain one does not", () => {
  const steps = [step('dns', 'exec'), step('notify', 'exec', { always: true })];
  const resumed = resumeAfter(steps, [succeeded('dns', 'exec'), succeeded('notify', 'exec')]);
  assert.equal(resumed.resumed.steps, { dns: 'run-A' });
});

test('a failover step whose VMs were all failed over is done, even if the step itself did not end', () => {
  const vms = [
    { name: 'db01', state: 'failed-over' },
    { name: 'db02', state: 'failed-over' },
  ] as VmReport[];
  const resumed = resumeAfter(STEPS, [{ id: 'db', kind: 'failover', outcome: 'running', vms }]);
  assert.equal(resumed.resumed.steps, { db: 'run-A' });
  assert.equal(resumed.resumed.vms, {});
});

test('a VM whose outcome was unknown, failed or stopped is requested again', () => {
  const vms = [
    { name: 'db01', state: 'unknown' },
    { name: 'db02', state: 'stopped' },
  ] as VmReport[];
  const resumed = resumeAfter(STEPS, [{ id: 'db', kind: 'failover', outcome: 'failed', vms }]);
  assert.equal(resumed.resumed, { runId: 'run-A', steps: {}, vms: {} });
  assert.equal(
    (resumed.steps[1] as Extract<PlanStep, { kind: 'failover' }>).vms.map((v) => v.name),
    ['db01', 'db02'],
  );
});

test('a chain of resumed runs adds up: what the run it resumed did counts, with the run that did it', () => {
  // run-B resumed run-A: A failed over db01 and ran dns; B (which left those out) failed over db02, then died.
  const b = report(
    [
      { id: 'db', kind: 'failover', outcome: 'running', vms: [{ name: 'db02', state: 'failed-over' }] as VmReport[] },
      { id: 'dns', kind: 'exec', outcome: 'skipped' },
    ],
    [],
    'run-B',
  );
  const a = report([
    { id: 'db', kind: 'failover', outcome: 'failed', vms: [{ name: 'db01', state: 'failed-over' }] as VmReport[] },
    succeeded('dns', 'exec'),
  ]);
  const resumed = resumePlan(plan(STEPS), doneIn([b, a]));
  assert.equal(resumed.resumed, { runId: 'run-B', steps: { db: 'run-B', dns: 'run-A' }, vms: {} });
});

test('the confirmation counts only the failover requests the resumed run will send', () => {
  const resumed = resumeAfter(STEPS, [
    { id: 'db', kind: 'failover', outcome: 'failed', vms: [{ name: 'db01', state: 'failed-over' }] as VmReport[] },
    succeeded('plan', 'failoverPlan'),
    { id: 'app', kind: 'failover', outcome: 'succeeded', vms: [{ name: 'app01', state: 'failed-over' }] as VmReport[] },
  ]);
  assert.is(countMutatingCalls(STEPS), 5);
  // db02, and the vApp web: db01, the plan and app01 are done.
  assert.is(countMutatingCalls(resumed.steps, Object.keys(resumed.resumed.steps)), 2);
});

test.run();
