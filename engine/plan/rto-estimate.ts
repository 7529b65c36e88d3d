// Estimating how long a plan takes to recover, from what earlier runs of the same playbook
// measured, so `plan` can warn before a drill that the target RTO is out of reach.
// Pure: plain data in, a number and its reasoning out.
//
// A failover step's time is waves × the median per-VM failover time seen before, with
// waves = ceil(VMs / concurrency). Other steps use their median step duration. Steps of one
// parallel group overlap (the group takes its longest member). RTO ends at the last
// successful failover, so steps after the last failover step (notifications) do not count.

import { formatDuration } from '../duration.js';
import type { RunReport } from '../state/report-types.js';

export interface EstimateStep {
  id: string;
  kind: string;
  /** VMs the step fails over (0 for steps that fail over nothing). */
  vmCount: number;
  /** VMs in flight at once. */
  concurrency: number;
  /** Steps sharing this id run at the same time (a `parallel` block). */
  parallelGroup?: string;
}

export interface RtoEstimate {
  estimateMs: number;
  /** One line saying how the number was reached, for `plan` output. */
  basis: string;
  /** Steps with no earlier measurement (counted as 0, so the estimate is a lower bound). */
  unmeasured: string[];
}

const FAILOVER_KINDS = new Set(['failover', 'failoverVapp', 'failoverPlan']);
const PER_VM_KINDS = new Set(['failover', 'failoverVapp']);

export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function span(from: string | undefined, to: string | undefined): number | undefined {
  if (!from || !to) return undefined;
  const d = Date.parse(to) - Date.parse(from);
  return Number.isFinite(d) && d >= 0 ? d : undefined;
}

/** Durations of VMs that did fail over in this step, across the history. */
function vmDurations(stepId: string, history: RunReport[]): number[] {
  const out: number[] = [];
  for (const run of history) {
    for (const step of run.steps) {
      if (step.id !== stepId) continue;
      for (const vm of step.vms ?? []) {
        if (vm.state !== 'failed-over') continue;
        const d = vm.durationMs ?? span(vm.requestedAt, vm.finishedAt);
        if (d !== undefined) out.push(d);
      }
    }
  }
  return out;
}

function stepDurations(stepId: string, history: RunReport[]): number[] {
  const out: number[] = [];
  for (const run of history) {
    for (const step of run.steps) {
      if (step.id !== stepId || step.outcome !== 'succeeded') continue;
      const d = step.durationMs ?? span(step.startedAt, step.endedAt);
      if (d !== undefined) out.push(d);
    }
  }
  return out;
}

interface StepEstimate {
  step: EstimateStep;
  ms?: number;
  text: string;
}

function estimateStep(step: EstimateStep, history: RunReport[]): StepEstimate {
  if (PER_VM_KINDS.has(step.kind) && step.vmCount > 0) {
    const perVm = median(vmDurations(step.id, history));
    if (perVm === undefined) return { step, text: `${step.id}: no earlier failover measured` };
    const waves = Math.ceil(step.vmCount / Math.max(1, step.concurrency));
    const ms = waves * perVm;
    return {
      step,
      ms,
      text:
        `${step.id}: ${waves} wave${waves === 1 ? '' : 's'} (${step.vmCount} ` +
        `VM${step.vmCount === 1 ? '' : 's'}, ${Math.max(1, step.concurrency)} at once) × ` +
        `${formatDuration(perVm)} median per VM = ${formatDuration(ms)}`,
    };
  }
  const d = median(stepDurations(step.id, history));
  if (d === undefined) return { step, text: `${step.id}: no earlier run measured` };
  return { step, ms: d, text: `${step.id}: ${formatDuration(d)} median` };
}

/** Consecutive steps of one parallel group become one segment; others are a segment each. */
function segments(estimates: StepEstimate[]): StepEstimate[][] {
  const out: StepEstimate[][] = [];
  for (const e of estimates) {
    const last = out[out.length - 1];
    const group = e.step.parallelGroup;
    if (group !== undefined && last && last[0]!.step.parallelGroup === group) last.push(e);
    else out.push([e]);
  }
  return out;
}

export function estimateRto(input: { steps: EstimateStep[]; history: RunReport[] }): RtoEstimate {
  const { steps, history } = input;
  if (history.length === 0) {
    return { estimateMs: 0, basis: 'no earlier run of this playbook to estimate from', unmeasured: steps.map((s) => s.id) };
  }
  const segs = segments(steps.map((s) => estimateStep(s, history)));
  let lastFailover = -1;
  segs.forEach((seg, i) => {
    if (seg.some((e) => FAILOVER_KINDS.has(e.step.kind))) lastFailover = i;
  });
  const counted = lastFailover >= 0 ? segs.slice(0, lastFailover + 1) : segs;
  let total = 0;
  const parts: string[] = [];
  for (const seg of counted) {
    total += Math.max(0, ...seg.map((e) => e.ms ?? 0));
    const text = seg.map((e) => e.text).join('; ');
    parts.push(seg.length > 1 ? `parallel ${seg[0]!.step.parallelGroup} (longest counts) [${text}]` : text);
  }
  const unmeasured = counted
    .flat()
    .filter((e) => e.ms === undefined)
    .map((e) => e.step.id);
  const runs = `${history.length} earlier run${history.length === 1 ? '' : 's'}`;
  const tail = unmeasured.length > 0 ? `; not measured before (counted as 0): ${unmeasured.join(', ')}` : '';
  return { estimateMs: total, basis: `from ${runs}: ${parts.join('; ')}${tail}`, unmeasured };
}

/** A warning line for `plan` when the estimate exceeds the target, else undefined. */
export function rtoWarning(estimate: RtoEstimate, targetMs: number | undefined): string | undefined {
  if (targetMs === undefined || estimate.estimateMs <= targetMs) return undefined;
  return (
    `estimated time to recover ${formatDuration(estimate.estimateMs)} exceeds the RTO target ${formatDuration(targetMs)} ` +
    `(${estimate.basis})`
  );
}
