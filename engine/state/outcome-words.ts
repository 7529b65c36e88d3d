// The words a run's outcome is told in, one place for the terminal summary, the HTML
// headline, the GitHub summary, JUnit and `runbook status`. A headline never says more than
// the per-VM table: "rolled back" only when nothing the run changed is left changed; VMs
// still failed over (EM cannot undo a CDP failover) and VMs whose outcome is unknown are
// counted in the headline itself.

import type { RunReport, VmReport } from './report-types.js';

export interface Remains {
  /** VMs (and vApps) the run failed over that are still failed over. */
  failedOver: string[];
  /** VMs whose outcome the tool cannot know: to check by hand. */
  unknown: string[];
}

function failoverVms(report: RunReport): VmReport[] {
  return report.steps.filter((s) => s.kind === 'failover' || s.kind === 'failoverVapp').flatMap((s) => s.vms ?? []);
}

export function remains(report: RunReport): Remains {
  const vms = failoverVms(report);
  return {
    failedOver: vms.filter((v) => v.state === 'failed-over').map((v) => v.name),
    unknown: vms.filter((v) => v.state === 'unknown').map((v) => v.name),
  };
}

/** True when a rollback left nothing changed: no VM failed over or unknown, nothing to do by hand. */
export function nothingLeft(report: RunReport): boolean {
  const r = remains(report);
  return r.failedOver.length === 0 && r.unknown.length === 0 && report.manual.length === 0;
}

const vmCount = (n: number) => `${n} VM${n === 1 ? '' : 's'}`;

/** `4 VMs still failed over (EM cannot undo a CDP failover); 1 VM UNKNOWN (check by hand)`, or '' when nothing is left. */
export function leftWords(report: RunReport): string {
  const r = remains(report);
  const parts: string[] = [];
  if (r.failedOver.length > 0) parts.push(`${vmCount(r.failedOver.length)} still failed over (EM cannot undo a CDP failover)`);
  if (r.unknown.length > 0) parts.push(`${vmCount(r.unknown.length)} UNKNOWN (check by hand)`);
  return parts.join('; ');
}

/** The verdict after "Run X of "name"": e.g. `FAILED: 4 VMs still failed over (…)`. */
export function verdictWords(report: RunReport): string {
  if (report.outcome === 'succeeded') return 'succeeded';
  if (report.outcome === 'running') return 'is running';
  const left = leftWords(report);
  // A report written before outcomes were checked may say rolled-back with VMs left: say what is true.
  if (report.outcome === 'rolled-back') return left ? `FAILED: ${left}` : 'FAILED and was rolled back';
  // The interrupted run rolled back; what it could not undo is said, never hidden.
  if (report.outcome === 'interrupted') return left ? `was INTERRUPTED: ${left}` : 'was INTERRUPTED and rolled back';
  return left ? `FAILED: ${left}` : 'FAILED';
}
