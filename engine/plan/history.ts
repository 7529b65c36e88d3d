// Earlier runs as evidence for `plan`: the reports the engine left in the state dir
// (`<state-dir>/runs/<run-id>.report.json`), and the plan's steps in the shape the RTO
// estimate wants. Rehearsals and real runs are kept apart: simulated durations say nothing
// about a real Enterprise Manager, and the other way round.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../errors.js';
import { parseRunReport } from '../state/load-report.js';
import type { RunReport } from '../state/report-types.js';
import { runsDir, stateDirError } from '../state/state-dir.js';
import type { EstimateStep } from './rto-estimate.js';
import type { Plan, PlanStep } from './types.js';

export const REPORT_SUFFIX = '.report.json';

export interface RunHistory {
  reports: RunReport[];
  /** Report files that could not be read, with why (the caller warns). */
  unreadable: string[];
}

/** Reports of earlier runs of the playbook `name` (matched by name: checkout paths change between CI jobs). */
export function loadRunHistory(stateDir: string, match: { name: string; simulated: boolean }): RunHistory {
  let names: string[];
  try {
    names = readdirSync(runsDir(stateDir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { reports: [], unreadable: [] };
    throw stateDirError(stateDir, error);
  }
  const reports: RunReport[] = [];
  const unreadable: string[] = [];
  for (const name of names.filter((n) => n.endsWith(REPORT_SUFFIX)).sort()) {
    const file = join(runsDir(stateDir), name);
    try {
      const report = parseRunReport(readFileSync(file, 'utf8'), file);
      if (report.playbook.name === match.name && report.server.simulated === match.simulated) reports.push(report);
    } catch (error) {
      unreadable.push(errorMessage(error).split('\n')[0]!);
    }
  }
  return { reports, unreadable };
}

/** The plan's steps for estimateRto: a parallel group's children share the group's id. */
export function estimateSteps(plan: Plan): EstimateStep[] {
  const out: EstimateStep[] = [];
  const visit = (step: PlanStep, group: string | undefined) => {
    if (step.kind === 'parallel') {
      for (const child of step.steps) visit(child, group ?? step.id);
      return;
    }
    const vmCount = step.kind === 'failover' ? step.vms.length : step.kind === 'failoverVapp' ? 1 : 0;
    const concurrency = step.kind === 'failover' ? step.concurrency : 1;
    out.push({ id: step.id, kind: step.kind, vmCount, concurrency, ...(group !== undefined ? { parallelGroup: group } : {}) });
  };
  for (const step of plan.steps) visit(step, undefined);
  return out;
}
