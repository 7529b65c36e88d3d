// `runbook run --resume RUN_ID`, the command's side: the earlier run's params must be the
// ones given now (a failover finished at another point in time is not a continuation), then
// the plan is narrowed to what is left (plan/resume.ts) and the journal says what was left out.

import { UsageError } from '../errors.js';
import { doneIn, resumePlan } from '../plan/resume.js';
import type { Plan, Resumed } from '../plan/types.js';
import type { RunReport } from '../state/report-types.js';
import { loadRunStatus, type RunStatus } from '../state/run-status.js';

/** `--resume` with `--simulate` makes no sense: checked before anything else happens. */
export function refuseResumedRehearsal(resume: string | undefined, simulate: boolean | undefined): void {
  if (resume !== undefined && simulate) {
    throw new UsageError('--resume goes on from a real run; a rehearsal (--simulate) starts from an empty simulator each time');
  }
}

export function resumedPlan(plan: Plan, from: RunStatus, stateDir: string): Plan {
  const before = from.report.params;
  const names = new Set([...Object.keys(before), ...Object.keys(plan.params)]);
  const differ = [...names].filter((n) => JSON.stringify(before[n]) !== JSON.stringify(plan.params[n])).sort();
  if (differ.length > 0) {
    const shown = differ.map(
      (n) => `${n}: ${JSON.stringify(before[n]) ?? '(unset)'} then, ${JSON.stringify(plan.params[n]) ?? '(unset)'} now`,
    );
    throw new UsageError(
      `--resume ${from.runId}: params differ from that run (${shown.join('; ')}); pass the same --param values to go on from it`,
    );
  }
  // The run resumed, then the run it resumed, and so on: each left the earlier work out of its report.
  const chain = [from.report];
  for (let id = from.report.resumes; id !== undefined && !chain.some((r) => r.runId === id); ) {
    let earlier: RunReport;
    try {
      earlier = loadRunStatus(stateDir, id).report;
    } catch (error) {
      // Without that run's journal, what it did cannot be known: going on could repeat it.
      if (error instanceof UsageError)
        throw new UsageError(
          `--resume ${from.runId}: that run went on from run ${id}, whose journal is not in ${stateDir}; what it did cannot be told`,
        );
      throw error;
    }
    chain.push(earlier);
    id = earlier.resumes;
  }
  return resumePlan(plan, doneIn(chain));
}

/** One journal line: which steps and VMs this run leaves to the run it resumes. */
export function describeResume(r: Resumed): string {
  const vms = Object.values(r.vms).flat();
  const steps = Object.keys(r.steps);
  const parts = [
    steps.length > 0 ? `steps done there, not run again: ${steps.join(', ')}` : 'no step was done there as a whole',
    ...(vms.length > 0 ? [`VMs it failed over, not requested again: ${vms.join(', ')}`] : []),
  ];
  return `resuming run ${r.runId}: ${parts.join('; ')}`;
}
