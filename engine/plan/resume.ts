// `runbook run --resume RUN_ID`: go on from a run that stopped part-way (crashed, or failed
// and rolled back what it could) without asking for anything it already did. A CDP VM it
// failed over stays failed over (EM has no undo), so requesting it again only makes EM
// refuse and the step fail; a plan it started, or a command it ran, is not done again.
// Pure: what the earlier run did comes in as its report, the plan goes out narrowed.

import type { RunReport } from '../run/report-types.js';
import { flattenSteps, type Plan, type PlanStep, type Resumed } from './types.js';

export interface ResumeDone {
  runId: string;
  /** Steps whose work the earlier run completed and did not undo. */
  steps: Set<string>;
  /** Failover steps: the VMs (or vApps) the earlier run failed over, by step id. */
  vms: Map<string, Set<string>>;
}

/** What the earlier run did that still stands. */
export function doneIn(report: RunReport): ResumeDone {
  // A plan start or command that rollback undid (successfully) is no longer done.
  const undone = new Set(report.rollback.filter((a) => a.ok && (a.action === 'undo-plan' || a.action === 'exec-undo')).map((a) => a.stepId));
  const steps = new Set<string>();
  const vms = new Map<string, Set<string>>();
  for (const s of report.steps) {
    if (s.outcome === 'succeeded' && !undone.has(s.id)) steps.add(s.id);
    const failedOver = (s.vms ?? []).filter((v) => v.state === 'failed-over').map((v) => v.name);
    if ((s.kind === 'failover' || s.kind === 'failoverVapp') && failedOver.length > 0) vms.set(s.id, new Set(failedOver));
  }
  return { runId: report.runId, steps, vms };
}

/**
 * The plan without what is already done. Check steps always run again (they read, and
 * what they check may have changed); wait steps run again unless the earlier run got
 * past them; a failover step keeps only the VMs not failed over yet, and counts as done
 * when none is left.
 */
export function resumePlan(plan: Plan, done: ResumeDone): Plan & { resumed: Resumed } {
  const resumed: Resumed = { runId: done.runId, steps: [], vms: {} };
  const narrow = (step: PlanStep): PlanStep => {
    if (step.kind === 'parallel') {
      const steps = step.steps.map(narrow);
      if (steps.every((c) => resumed.steps.includes(c.id))) resumed.steps.push(step.id);
      return { ...step, steps };
    }
    if (step.kind === 'check') return step;
    if (done.steps.has(step.id)) {
      resumed.steps.push(step.id);
      return step;
    }
    const failedOver = done.vms.get(step.id);
    if (!failedOver) return step;
    if (step.kind === 'failoverVapp') {
      if (failedOver.has(step.vapp.name)) resumed.steps.push(step.id);
      return step;
    }
    if (step.kind !== 'failover') return step;
    const left = step.vms.filter((v) => !failedOver.has(v.name));
    const skipped = step.vms.filter((v) => failedOver.has(v.name)).map((v) => v.name);
    if (skipped.length > 0) resumed.vms[step.id] = skipped;
    if (left.length === 0) resumed.steps.push(step.id);
    return { ...step, vms: left.length > 0 ? left : step.vms };
  };
  const steps = plan.steps.map(narrow);
  // A done failover step keeps its VM list for the report; its VMs are listed as left out.
  for (const s of flattenSteps(steps)) if (resumed.steps.includes(s.id) && s.kind === 'failover') delete resumed.vms[s.id];
  return { ...plan, steps, resumed };
}
