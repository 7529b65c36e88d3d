// The four invariants every fault drill must keep, checked from three independent
// witnesses: the simulator (request log and model state), the journal (replayed the way
// `runbook status` replays it) and the report. Each check returns the violations found
// (empty: the invariant holds) so the matrix can print a cell per fault × invariant.

import { readFileSync, existsSync } from 'node:fs';
import { loadRunStatus } from '../../engine/state/run-status.js';
import type { VmReport } from '../../engine/state/report-types.js';
import type { RequestLogEntry, SimState } from '../../engine/simulator/index.js';
import { PASSWORD, USER, type DrillRun } from './scenario.js';

export type InvariantId = 'I1' | 'I2' | 'I3' | 'I4' | 'I5';
export const INVARIANTS: Record<InvariantId, string> = {
  I1: 'at most one failover POST processed per VM, none after an unknown outcome',
  I2: 'every started task seen Finished or deleted (or its VM reported unknown + manual)',
  I3: 'exit code, report and journal agree with the simulator',
  I4: 'no password, token or Basic header in any output or file',
  I5: 'reported outcome = ground truth per VM; no task DELETEd unless it was Running (or Finished with its result read)',
};

const isFailoverPost = (e: RequestLogEntry) => e.method === 'POST' && /(^|&)action=failover(&|$)/.test(e.query);
/** EM processed it: it answered 2xx, or the answer was lost after processing (reset-after). */
const processed = (e: RequestLogEntry) => (e.status >= 200 && e.status < 300) || e.fault === 'reset-after' || e.taskId !== undefined;
/** Refused before any processing: the client may send it again. */
const refused = (e: RequestLogEntry) =>
  !processed(e) && (e.status === 503 || e.status === 401 || e.fault === 'reset-before' || e.fault === 'expire-session');

function vmIdOf(path: string): string | undefined {
  return /\/vms\/([^/?]+)/.exec(path)?.[1];
}

export function allVms(run: DrillRun): VmReport[] {
  return run.report.steps
    .flatMap((s) => s.vms ?? [])
    .filter((v) => !run.report.steps.some((s) => s.kind === 'check' && s.vms?.includes(v)));
}

/** I1: per VM, the failover POSTs EM processed ≤ 1, completed failovers ≤ 1, and nothing is sent after an attempt whose outcome is unknown. */
export function checkI1(log: readonly RequestLogEntry[], state: SimState): string[] {
  const bad: string[] = [];
  const byVm = new Map<string, RequestLogEntry[]>();
  for (const e of log.filter(isFailoverPost)) {
    const id = vmIdOf(e.path) ?? e.path;
    byVm.set(id, [...(byVm.get(id) ?? []), e]);
  }
  for (const [id, posts] of byVm) {
    const name = state.vms.find((v) => v.id === id)?.name ?? id;
    const done = posts.filter(processed);
    if (done.length > 1) bad.push(`${name}: ${done.length} failover POSTs processed (seq ${done.map((p) => p.seq).join(', ')})`);
    // Only an attempt EM demonstrably refused may be followed by another one.
    posts.slice(0, -1).forEach((p) => {
      if (!refused(p))
        bad.push(`${name}: POST seq ${p.seq} (status ${p.status}${p.fault ? `, ${p.fault}` : ''}) was followed by another failover POST`);
    });
  }
  for (const [subject, n] of Object.entries(state.failovers)) if (n > 1) bad.push(`${subject}: failed over ${n} times in the model`);
  return bad;
}

/** I2: each task the simulator created was seen Finished by the run (journal task-result) or deleted; otherwise its VM is `unknown` and listed for a manual check. */
export function checkI2(run: DrillRun): string[] {
  const bad: string[] = [];
  const journal = readJournalEntries(run);
  const seen = new Set(journal.filter((e) => e.type === 'task-result').map((e) => e.taskId as string));
  const vms = allVms(run);
  for (const task of run.sim.state.tasks) {
    if (task.deleted || seen.has(task.taskId)) continue;
    const vmName = task.subject.replace(/^(vm|vapp|plan|undo-plan):/, '');
    const vm = vms.find((v) => v.name === vmName);
    const manual = run.report.manual.some((m) => m.target === vmName && m.reason === 'unknown');
    if (vm?.state === 'unknown' && manual) continue;
    if (/^(undo-)?plan:/.test(task.subject) && manual) continue; // a plan has no VM entry: its manual action says it
    bad.push(
      `task ${task.taskId} (${task.subject}, ${task.state}) neither seen Finished nor deleted, and its VM is ${vm?.state ?? 'absent'}${manual ? '' : ', not listed for a manual check'}`,
    );
  }
  return bad;
}

/** I3: the report's VM states match the model; the exit code matches the outcome; the journal replays to the same states. */
export function checkI3(run: DrillRun): string[] {
  const bad: string[] = [];
  const state = run.sim.state;
  const vms = allVms(run);
  for (const vm of vms) {
    const model = state.vms.find((v) => v.name === vm.name);
    if (!model) {
      bad.push(`${vm.name}: not in the simulator`);
      continue;
    }
    if (vm.state === 'failed-over' && !model.failedOver) bad.push(`${vm.name}: report says failed-over, EM says not`);
    if ((vm.state === 'failed' || vm.state === 'stopped' || vm.state === 'not-started') && model.failedOver)
      bad.push(`${vm.name}: report says ${vm.state}, EM says failed over`);
    if (vm.state === 'running') bad.push(`${vm.name}: still "running" in a finished report`);
    if (vm.state === 'unknown' && !run.report.manual.some((m) => m.target === vm.name))
      bad.push(`${vm.name}: unknown but not listed for a manual check`);
  }
  for (const model of state.vms) {
    if (model.failedOver && !vms.some((v) => v.name === model.name && (v.state === 'failed-over' || v.state === 'unknown')))
      bad.push(`${model.name}: failed over in EM, but the report does not say so`);
  }
  if (run.progressHung)
    bad.push('the progress view never finished: `runbook run` exits 0 here without summary, report or run-end (engine/report/progress.ts)');
  const allOver = vms.length > 0 && vms.every((v) => v.state === 'failed-over');
  if ((run.exitCode === 0) !== (run.report.outcome === 'succeeded')) bad.push(`exit ${run.exitCode} with outcome ${run.report.outcome}`);
  if (run.exitCode === 0 && !allOver) bad.push('exit 0 but not every VM is failed over');
  if (run.thrown === undefined) {
    if (run.report.exitCode !== run.exitCode) bad.push(`report.exitCode ${String(run.report.exitCode)} ≠ exit ${run.exitCode}`);
    const written = JSON.parse(readFileSync(run.files[1]!, 'utf8')) as { outcome: string; steps: { vms?: VmReport[] }[] };
    if (written.outcome !== run.report.outcome) bad.push('the JSON report file disagrees with the run');
    const status = loadRunStatus(run.stateDir, run.runId);
    const replayed = new Map(status.report.steps.flatMap((s) => s.vms ?? []).map((v) => [v.name, v.state]));
    for (const vm of vms) {
      const j = replayed.get(vm.name) ?? 'not-started';
      if (j !== vm.state) bad.push(`${vm.name}: journal replays to ${j}, report says ${vm.state}`);
    }
    if (status.report.outcome !== run.report.outcome) bad.push(`journal outcome ${status.report.outcome} ≠ report ${run.report.outcome}`);
    if (status.problems.length > 0) bad.push(`journal problems: ${status.problems.join('; ')}`);
  }
  return bad;
}

/**
 * I5, the product's promise: each VM's reported outcome is what EM did (the simulator's
 * model), and no task was DELETEd while it was not Running, except a Finished one whose
 * result had been read (`resultRead`: task ids with a journaled task-result). `stopped`
 * needs a DELETE that met the task Running; `failed-over` needs the model failed over;
 * a VM failed over in the model is reported `failed-over` or `unknown`, never anything else.
 * Pure: reused by other drill suites (the fault explorer).
 */
export function checkOutcomeTruth(
  vms: readonly VmReport[],
  state: SimState,
  log: readonly RequestLogEntry[],
  resultRead?: ReadonlySet<string>,
): string[] {
  const bad: string[] = [];
  const deletes = log.filter((e) => e.method === 'DELETE' && /^\/tasks\/[^/]+$/.test(e.path) && e.deletedState !== undefined);
  const stoppedRunning = new Set<string>();
  for (const d of deletes) {
    const taskId = d.path.slice('/tasks/'.length);
    if (d.deletedState === 'Running') stoppedRunning.add(taskId);
    else if (d.deletedState === 'OperationFinished')
      bad.push(`task ${taskId} was DELETEd while OperationFinished (seq ${d.seq}): EM forgets a finished failover`);
    else if (resultRead && !resultRead.has(taskId))
      bad.push(`task ${taskId} was DELETEd while Finished (seq ${d.seq}) before its result was read`);
  }
  for (const vm of vms) {
    const model = state.vms.find((v) => v.name === vm.name);
    if (!model) continue;
    if (model.failedOver && vm.state !== 'failed-over' && vm.state !== 'unknown')
      bad.push(`${vm.name}: reported ${vm.state}, but EM failed it over`);
    if (!model.failedOver && vm.state === 'failed-over') bad.push(`${vm.name}: reported failed-over, but EM did not fail it over`);
    if (vm.state === 'stopped' && !(vm.taskId && stoppedRunning.has(vm.taskId)))
      bad.push(`${vm.name}: reported stopped, but no DELETE met its task ${vm.taskId ?? '?'} Running`);
  }
  return bad;
}

/** I5 for a drill run: the report's VMs against the model and the request log. */
export function checkI5(run: DrillRun): string[] {
  const read = new Set(
    readJournalEntries(run)
      .filter((e) => e.type === 'task-result')
      .map((e) => e.taskId as string),
  );
  return checkOutcomeTruth(allVms(run), run.sim.state, run.sim.log, read);
}

/** I4: no secret in what the user sees or in any file the run wrote (the simulator's log included). */
export function checkI4(run: DrillRun, extraTexts: string[] = []): string[] {
  const basic = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
  const needles = [PASSWORD, basic, 'Basic ', ...run.tokens];
  const texts: Array<[string, string]> = [
    ['output', run.output],
    ['sim log', JSON.stringify(run.sim.log)],
    ...run.files.filter(existsSync).map((f): [string, string] => [f, readFileSync(f, 'utf8')]),
    ...extraTexts.map((t, i): [string, string] => [`extra ${i}`, t]),
  ];
  const bad: string[] = [];
  for (const [where, text] of texts) {
    for (const needle of needles)
      if (needle && text.includes(needle))
        bad.push(
          `${where} contains ${needle === PASSWORD ? 'the password' : needle === basic ? 'the Basic credentials' : needle === 'Basic ' ? 'a Basic header' : 'a session token'}`,
        );
  }
  return bad;
}

export function readJournalEntries(run: DrillRun): Array<Record<string, unknown>> {
  const path = run.files[0]!;
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
