// Check steps: read-only guards run by `plan` (preflight) and again by `run` when the step
// comes up. RPO guard: the newest replicated state is recent enough; app-consistent
// guard: an application-consistent point exists within the window (API spec §6.3).

import { formatDuration } from '../duration.js';
import type { CallOptions, CdpIntervals, EmClient } from '../api/types.js';
import type { Clock } from '../clock.js';
import { EmHttpError, errorMessage } from '../errors.js';
import { formatUtc } from './restore-point.js';
import type { CheckFinding, PlanCheckStep } from './types.js';

const HOUR = 3_600_000;

export async function runChecks(step: PlanCheckStep, client: EmClient, clock: Clock, options: CallOptions = {}): Promise<CheckFinding[]> {
  const findings: CheckFinding[] = [];
  const wantsIntervals = step.maxRpoMs !== undefined || step.appConsistentWithinMs !== undefined;
  const now = clock.now();
  const span = Math.max(HOUR, (step.maxRpoMs ?? 0) * 2, step.appConsistentWithinMs ?? 0);
  const start = formatUtc(now - span);
  const end = formatUtc(now);

  const targets = [
    ...step.vms.map((vm) => ({
      label: `VM "${vm.name}"`,
      read: () => client.cdpIntervals(vm.replicaId, vm.id, start, end, { ...options, subject: `VM "${vm.name}"` }),
    })),
    ...(step.vapp ? [{ label: `vApp "${step.vapp.name}"`, read: () => client.vappIntervals(step.vapp!.id, start, end, options) }] : []),
  ];
  for (const t of targets) {
    if (!wantsIntervals) {
      findings.push({ ok: true, message: `${t.label} exists` });
      continue;
    }
    let intervals: CdpIntervals;
    try {
      intervals = await t.read();
    } catch (error) {
      if (!(error instanceof EmHttpError)) throw error;
      findings.push({ ok: false, message: `${t.label}: cannot read restore intervals: ${errorMessage(error)}` });
      continue;
    }
    findings.push(...judge(t.label, intervals, step, now));
  }
  if (step.failoverPlan) findings.push({ ok: true, message: `failover plan "${step.failoverPlan.name}" exists` });
  return findings;
}

function judge(label: string, iv: CdpIntervals, step: PlanCheckStep, now: number): CheckFinding[] {
  const out: CheckFinding[] = [];
  const vm = label.replace(/^\w+ "(.*)"$/, '$1');
  if (step.maxRpoMs !== undefined) {
    const newest = newestState(iv);
    if (newest === undefined) {
      out.push({
        ok: false,
        vm,
        message: `${label}: no restore point in the last ${formatDuration(now - Date.parse(iv.start || formatUtc(now)))}`,
      });
    } else {
      const age = Math.max(0, now - newest);
      const rpoSeconds = Math.round(age / 1000);
      const ok = age <= step.maxRpoMs;
      const max = formatDuration(step.maxRpoMs);
      out.push({
        ok,
        vm,
        rpoSeconds,
        message: `${label}: newest state is ${formatDuration(age)} old (max ${max})${ok ? '' : ': RPO guard exceeded'}`,
      });
    }
  }
  if (step.appConsistentWithinMs !== undefined) {
    const since = now - step.appConsistentWithinMs;
    const within = formatDuration(step.appConsistentWithinMs);
    const points = iv.restorePoints.filter((p) => p.appConsistent && Date.parse(p.date) >= since);
    const latest = points.map((p) => Date.parse(p.date)).sort((a, b) => b - a)[0];
    out.push(
      latest !== undefined
        ? {
            ok: true,
            vm,
            message: `${label}: application-consistent point at ${formatUtc(latest)} (within ${within})`,
          }
        : {
            ok: false,
            vm,
            message: `${label}: no application-consistent point within the last ${within}`,
          },
    );
  }
  return out;
}

/** The newest replicated moment: the end of the latest interval or the latest restore point. */
function newestState(iv: CdpIntervals): number | undefined {
  const times = [...iv.intervals.map((i) => Date.parse(i.end)), ...iv.restorePoints.map((p) => Date.parse(p.date))].filter(
    (t) => !Number.isNaN(t),
  );
  return times.length > 0 ? Math.max(...times) : undefined;
}
