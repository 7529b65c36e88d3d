// The explorer's six invariants (issue #20, numbered I1–I6 there), built on the drills'
// checks in invariants.ts (one checker): its I1 and I5 are the drills' checkI1 and checkI4.

import { readFileSync } from 'node:fs';
import { loadRunStatus } from '../../engine/state/run-status.js';
import type { RunReport } from '../../engine/state/report-types.js';
import type { RequestLogEntry, SimState } from '../../engine/simulator/index.js';
import { allVms, checkI1, checkI2, checkI4, readJournalEntries } from './invariants.js';
import type { DrillRun } from './scenario.js';
import { checkPlanTruth, checkVappTruth } from './subject-truth.js';

export type ExploreInvariant = 'I1' | 'I2' | 'I3' | 'I4' | 'I5' | 'I6';
export const EXPLORE_INVARIANTS: Record<ExploreInvariant, string> = {
  I1: 'at most one failover POST per VM processed by EM (over a whole chain of runs)',
  I2: 'every task seen Finished or DELETEd after a read showed Running (or Finished: hygiene); nothing else DELETEd',
  I3: 'reported outcome per VM = simulator ground truth; unknown only with a manual check',
  I4: 'exit code agrees with the report; the journal replays to the same per-VM outcomes',
  I5: 'no password, token or Basic header in any output or file',
  I6: 'the run ends within its time budget on the fake clock',
};

/** Answers that carried no readable state even though EM produced one. */
const UNREAD_FAULTS = new Set(['reset-after', 'malformed', 'truncate', 'hang']);

/** Follows what each task read showed, in the order EM answered (feed it DrillSpec.onRequest),
 * and records every task DELETE whose last read did not show it Running (a stop) or Finished
 * (task hygiene once the result is read, spec §5.2): after OperationFinished or a failed read
 * a DELETE stops nothing and makes EM forget the result. */
export class TaskReads {
  private readonly last = new Map<string, string>();
  readonly badDeletes: string[] = [];

  observe(entry: RequestLogEntry, state: () => SimState): void {
    const answered = entry.status === 200 && !UNREAD_FAULTS.has(entry.fault ?? '');
    if (entry.method === 'GET' && entry.path === '/tasks') {
      if (answered) for (const t of state().tasks) if (t.session === entry.session && !t.deleted) this.last.set(t.taskId, t.state);
      return;
    }
    const id = /^\/tasks\/([^/]+)$/.exec(entry.path)?.[1];
    if (entry.method === 'GET' && id) {
      this.last.set(
        id,
        answered
          ? (state().tasks.find((t) => t.taskId === id)?.state ?? 'absent')
          : `no answer (${entry.status}${entry.fault ? `, ${entry.fault}` : ''})`,
      );
    } else if (entry.method === 'DELETE' && id) {
      const read = this.last.get(id);
      // A DELETE EM may have processed without our knowing how it ended (no answer, a 500) may
      // have met the task in any state: the next one needs a read first. 401, 503 and a reset
      // before processing are refusals.
      const told = [204, 404, 401, 503].includes(entry.status) || entry.fault === 'reset-before';
      if (!told || UNREAD_FAULTS.has(entry.fault ?? '')) this.last.set(id, `a DELETE with no answer (seq ${entry.seq})`);
      if (read === 'Running' || read === 'Finished') return;
      const now = state().tasks.find((t) => t.taskId === id);
      this.badDeletes.push(
        `DELETE ${entry.path} (seq ${entry.seq}, ${entry.status}) after its last read showed ${read ?? 'nothing'}${now ? `; EM had it ${now.state}${now.success === undefined ? '' : ` Success=${now.success}`}` : ''}`,
      );
    }
  }
}

/** I2 (explorer): checkI2's "seen Finished, deleted or unknown + manual", plus the DELETE discipline. */
export function checkTasksEnded(run: DrillRun, reads: TaskReads): string[] {
  return [...checkI2(run), ...reads.badDeletes];
}

/** I3 (explorer): per VM, the report says what the simulator's model says. */
export function checkTruth(run: DrillRun): string[] {
  const seen = new Set(
    readJournalEntries(run)
      .filter((e) => e.type === 'task-result')
      .map((e) => e.taskId as string),
  );
  return checkReportTruth(run.report, run.sim.state, seen);
}

/** I3 on any report (a CLI run's JSON report too): `seen` are the tasks the run read to the end. */
export function checkReportTruth(report: RunReport, state: SimState, seen: ReadonlySet<string> = new Set()): string[] {
  const out: string[] = [];
  // A resumed run credits a step an earlier run did ("done by run X"): its VMs are claimed
  // failed over (by that run), and that claim is what is checked.
  const credited = (st: RunReport['steps'][number]) => st.outcome === 'skipped' && /^done by run /.test(st.skipReason ?? '');
  const vms = report.steps.flatMap((st) =>
    st.kind === 'check' ? [] : (st.vms ?? []).map((v) => (credited(st) ? { ...v, state: 'failed-over' as const } : v)),
  );
  for (const vm of vms) {
    const model = state.vms.find((v) => v.name === vm.name);
    if (!model) continue;
    if (vm.state === 'failed-over' && !model.failedOver) out.push(`${vm.name}: reported failed-over, EM says not`);
    if ((vm.state === 'failed' || vm.state === 'stopped' || vm.state === 'not-started') && model.failedOver)
      out.push(`${vm.name}: reported ${vm.state}, EM failed it over`);
    if (vm.state === 'running') out.push(`${vm.name}: still "running" in a finished report`);
    if (vm.state === 'unknown') {
      if (!report.manual.some((m) => m.target === vm.name)) out.push(`${vm.name}: unknown but not listed for a manual check`);
      const last = state.tasks.filter((t) => t.subject === `vm:${vm.name}`).at(-1);
      if (last && seen.has(last.taskId)) out.push(`${vm.name}: unknown although the run read its task ${last.taskId} to the end`);
    }
  }
  for (const model of state.vms) {
    if (
      model.failedOver &&
      vms.some((v) => v.name === model.name) &&
      !vms.some((v) => v.name === model.name && (v.state === 'failed-over' || v.state === 'unknown'))
    ) {
      out.push(`${model.name}: failed over in EM, the report does not say so`);
    }
  }
  return [...out, ...checkVappTruth(report, state, seen), ...checkPlanTruth(report, state)];
}

/** I4 (explorer): exit code, report, report file and journal replay agree. */
export function checkAgreement(run: DrillRun): string[] {
  const out: string[] = [];
  if (run.progressHung) out.push('the progress view never finished');
  const vms = allVms(run);
  if ((run.exitCode === 0) !== (run.report.outcome === 'succeeded')) out.push(`exit ${run.exitCode} with outcome ${run.report.outcome}`);
  if (run.exitCode === 0 && !(vms.length > 0 && vms.every((v) => v.state === 'failed-over')))
    out.push('exit 0 but not every VM is failed over');
  if (run.thrown !== undefined) return out;
  if (run.report.exitCode !== run.exitCode) out.push(`report.exitCode ${String(run.report.exitCode)} ≠ exit ${run.exitCode}`);
  const written = JSON.parse(readFileSync(run.files[1]!, 'utf8')) as { outcome: string };
  if (written.outcome !== run.report.outcome) out.push('the JSON report file disagrees with the run');
  const status = loadRunStatus(run.stateDir, run.runId);
  const replayed = new Map(status.report.steps.flatMap((s) => s.vms ?? []).map((v) => [v.name, v.state]));
  for (const vm of vms) {
    const j = replayed.get(vm.name) ?? 'not-started';
    if (j !== vm.state) out.push(`${vm.name}: journal replays to ${j}, report says ${vm.state}`);
  }
  if (status.report.outcome !== run.report.outcome) out.push(`journal outcome ${status.report.outcome} ≠ report ${run.report.outcome}`);
  if (status.problems.length > 0) out.push(`journal problems: ${status.problems.join('; ')}`);
  return out;
}

/** I6: the run ended, and within `budgetMs` of virtual time. */
export function checkEnded(ended: boolean, virtualMs: number, budgetMs: number): string[] {
  if (!ended) return ['the run never ended (stopped by the real-time guard)'];
  return virtualMs > budgetMs
    ? [`the run took ${Math.round(virtualMs / 60_000)} min of virtual time (budget ${Math.round(budgetMs / 60_000)} min)`]
    : [];
}

/** All six, for one run (a chain's I1 is checked over every run's log by the caller). */
export function checkExplored(
  run: DrillRun,
  reads: TaskReads,
  time: { ended: boolean; virtualMs: number; budgetMs: number },
): Record<ExploreInvariant, string[]> {
  return {
    I1: checkI1(run.sim.log, run.sim.state),
    I2: checkTasksEnded(run, reads),
    I3: checkTruth(run),
    I4: checkAgreement(run),
    I5: checkI4(run),
    I6: checkEnded(time.ended, time.virtualMs, time.budgetMs),
  };
}
