// `runbook run --resume RUN_ID`: go on from a run that stopped part-way (crashed, or failed
// and rolled back what it could) without asking for anything it already did. A CDP VM it
// failed over stays failed over (EM has no undo), so requesting it again only makes EM
// refuse and the step fail; a plan it started, or a command it ran, is not done again.
// Pure: what the earlier run did comes in as its report, the plan goes out narrowed.

import type { RunReport } from '../state/report-types.js';
import { flattenSteps, type Plan, type PlanStep, type Resumed } from './types.js';

export interface ResumeDone {
  /** The run resumed. */
  runId: string;
  /** Steps whose work was completed and not undone, with the run that did it. */
  steps: Map<string, string>;
  /** Failover steps: the VMs (or vApps) failed over, by step id. */
  vms: Map<string, Set<string>>;
}

/**
 * What the earlier run did that still stands. A run that went on from another left that
 * one's work out of its own report, so the chain of reports (the resumed run first, then the
 * run it resumed, and so on) adds up to what is done.
 */
export function doneIn(chain: readonly RunReport[]): ResumeDone {
  const done: ResumeDone = { runId: chain[0]?.runId ?? '', steps: new Map(), vms: new Map() };
  for (const report of chain) {
    // A plan start or command that rollback undid (successfully) is no longer done.
    const undone = new Set(
      report.rollback.filter((a) => a.ok && (a.action === 'undo-plan' || a.action === 'exec-undo')).map((a) => a.stepId),
    );
    for (const s of report.steps) {
      if (s.outcome === 'succeeded' && !undone.has(s.id) && !done.steps.has(s.id)) done.steps.set(s.id, report.runId);
      const failedOver = (s.vms ?? []).filter((v) => v.state === 'failed-over').map((v) => v.name);
      if ((s.kind === 'failover' || s.kind === 'failoverVapp') && failedOver.length > 0) {
        const set = done.vms.get(s.id) ?? new Set<string>();
        for (const name of failedOver) set.add(name);
        done.vms.set(s.id, set);
      }
    }
  }
  return done;
}

/**
 * The plan without what is already done. Check steps always run again (they read, and
 * what they check may have changed), and so do approval steps (a person's check, made on
 * how things stood then: ask again, or decide ahead with --approve), and `always: true` commands (the
 * resumed run's notification must go out); wait steps run again unless the earlier run got
 * past them; a failover step keeps only the VMs not failed over yet, and counts as done
 * when none is left.
 */
export function resumePlan(plan: Plan, done: ResumeDone): Plan & { resumed: Resumed } {
  const resumed: Resumed = { runId: done.runId, steps: {}, vms: {} };
  const narrow = (step: PlanStep): PlanStep => {
    if (step.kind === 'parallel') {
      const steps = step.steps.map(narrow);
      const by = steps.map((c) => resumed.steps[c.id]);
      if (by.every((r) => r !== undefined)) resumed.steps[step.id] = by[0] ?? done.runId;
      return { ...step, steps };
    }
    if (step.kind === 'check' || step.kind === 'approval') return step;
    // An `always: true` command (the notification) is this run's too: it goes out again.
    if (step.kind === 'exec' && step.always) return step;
    const by = done.steps.get(step.id);
    if (by !== undefined) {
      resumed.steps[step.id] = by;
      return step;
    }
    const failedOver = done.vms.get(step.id);
    if (!failedOver) return step;
    if (step.kind === 'failoverVapp') {
      if (failedOver.has(step.vapp.name)) resumed.steps[step.id] = done.runId;
      return step;
    }
    if (step.kind !== 'failover') return step;
    const left = step.vms.filter((v) => !failedOver.has(v.name));
    const skipped = step.vms.filter((v) => failedOver.has(v.name)).map((v) => v.name);
    if (skipped.length > 0) resumed.vms[step.id] = skipped;
    if (left.length === 0) resumed.steps[step.id] = done.runId;
    return { ...step, vms: left.length > 0 ? left : step.vms };
  };
  const steps = plan.steps.map(narrow);
  // A done failover step keeps its VM list for the report; its VMs are listed as left out.
  for (const s of flattenSteps(steps)) if (resumed.steps[s.id] !== undefined && s.kind === 'failover') delete resumed.vms[s.id];
  return { ...plan, steps, resumed };
}
