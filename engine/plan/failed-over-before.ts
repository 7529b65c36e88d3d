// Never twice, across runs: before `plan` says Ready and before `run` sends anything, the
// state dir's journals are read for VMs of this plan that an earlier REAL run already failed
// over. The promise must not rest on EM refusing a second failover: the spec marks that
// unverified (§12 #7), and CDP VMs expose no failover state (§6.1).

import type { Plan, PlanStep } from './types.js';
import { listRuns, readJournal } from '../state/journal.js';
import { type RunStatus, statusFromEntries } from '../state/run-status.js';

export interface EarlierFailover {
  /** The VM (or vApp) as the plan names it. */
  target: string;
  replica: string;
  runId: string;
  playbook: string;
  /** When EM reported it failed over (the run's start when not recorded). */
  at: string;
}

/** The plan's failover targets still to do (steps a resumed run did are left out), by replica/name. */
function targets(plan: Plan): Map<string, { name: string; replica: string }> {
  const done = plan.resumed?.steps ?? {};
  const out = new Map<string, { name: string; replica: string }>();
  const visit = (steps: PlanStep[]) => {
    for (const s of steps) {
      if (done[s.id] !== undefined) continue;
      if (s.kind === 'parallel') visit(s.steps);
      const list =
        s.kind === 'failover'
          ? s.vms.map((v) => ({ name: v.name, replica: v.replicaName }))
          : s.kind === 'failoverVapp'
            ? [{ name: s.vapp.name, replica: s.vapp.replicaName }]
            : [];
      for (const t of list) out.set(`${t.replica}/${t.name}`, t);
    }
  };
  visit(plan.steps);
  return out;
}

/** Earlier real runs (any playbook) that left a VM of this plan failed over, newest run first. */
export function failedOverBefore(stateDir: string, plan: Plan): EarlierFailover[] {
  const wanted = targets(plan);
  if (wanted.size === 0) return [];
  const found = new Map<string, EarlierFailover>();
  for (const run of listRuns(stateDir)) {
    let status: RunStatus;
    try {
      status = statusFromEntries(run.runId, run.path, readJournal(run.path));
    } catch {
      continue; // an unreadable journal is `runbook status`'s to report
    }
    const report = status.report;
    if (report.server.simulated) continue;
    for (const step of report.steps) {
      for (const vm of step.vms ?? []) {
        const key = `${vm.replica}/${vm.name}`;
        if (vm.state !== 'failed-over' || !wanted.has(key) || found.has(key)) continue;
        found.set(key, {
          target: vm.name,
          replica: vm.replica,
          runId: run.runId,
          playbook: report.playbook.name,
          at: vm.finishedAt ?? report.startedAt,
        });
      }
    }
  }
  return [...found.values()];
}

/** One warning line per VM: names the run and its time. */
export function describeEarlierFailover(e: EarlierFailover): string {
  return (
    `VM "${e.target}" (replica "${e.replica}") was already failed over by run ${e.runId} ` +
    `("${e.playbook}") at ${e.at}: failing it over again would fail at EM or fail it over twice; ` +
    `check it in the VBR console, or go on from that run with --resume`
  );
}
