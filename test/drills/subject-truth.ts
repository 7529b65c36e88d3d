// I3 beyond CDP VMs (the explorer's mix playbook): a vApp's and a failover plan's reported
// outcome against the simulator's model, with the rules checkReportTruth applies to a VM.

import type { RunReport } from '../../engine/state/report-types.js';
import type { SimState } from '../../engine/simulator/index.js';

/** A vApp is reported like a VM (one entry, named after the vApp) in its failoverVapp step. */
export function checkVappTruth(report: RunReport, state: SimState, seen: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const vm of report.steps.filter((s) => s.kind === 'failoverVapp').flatMap((s) => s.vms ?? [])) {
    const model = state.vApps.find((a) => a.name === vm.name);
    if (!model) continue;
    if (vm.state === 'failed-over' && !model.failedOver) out.push(`vApp ${vm.name}: reported failed-over, EM says not`);
    if ((vm.state === 'failed' || vm.state === 'stopped' || vm.state === 'not-started') && model.failedOver)
      out.push(`vApp ${vm.name}: reported ${vm.state}, EM failed it over`);
    if (vm.state === 'running') out.push(`vApp ${vm.name}: still "running" in a finished report`);
    if (vm.state === 'unknown') {
      if (!report.manual.some((m) => m.target === vm.name)) out.push(`vApp ${vm.name}: unknown but not listed for a manual check`);
      const last = state.tasks.filter((t) => t.subject === `vapp:${vm.name}`).at(-1);
      if (last && seen.has(last.taskId)) out.push(`vApp ${vm.name}: unknown although the run read its task ${last.taskId} to the end`);
    }
  }
  return out;
}

/**
 * A plan step that started its plan claims the plan is in failover, unless the rollback
 * undid it (an `undo-plan` action that succeeded). EM must agree; a plan EM has in
 * failover that the report does not claim must be listed for the operator.
 */
export function checkPlanTruth(report: RunReport, state: SimState): string[] {
  const out: string[] = [];
  for (const step of report.steps) {
    if (step.kind !== 'failoverPlan' || step.plan?.action !== 'start') continue;
    const name = step.plan.name;
    const model = state.plans.find((p) => p.name === name);
    if (!model) continue;
    const undone = report.rollback.some((a) => a.action === 'undo-plan' && a.target === name && a.ok);
    const credited = step.outcome === 'skipped' && /^done by run /.test(step.skipReason ?? '');
    // An undo whose outcome is unknown (its answer or task lost) claims neither state, if the
    // operator is told to check.
    const unsure = report.manual.some((m) => m.target === name && m.reason === 'unknown');
    const claimed = (step.outcome === 'succeeded' || credited) && !undone && !unsure;
    if (claimed && !model.active) out.push(`plan ${name}: reported started${undone ? '' : ' (not undone)'}, EM says it is not in failover`);
    if (!claimed && model.active && !report.manual.some((m) => m.target === name)) {
      out.push(
        `plan ${name}: in failover in EM, but the step reads ${step.outcome}${undone ? ' and undone' : ''} and no manual action names it`,
      );
    }
  }
  return out;
}
