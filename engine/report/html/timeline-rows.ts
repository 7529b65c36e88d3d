// The timeline as data: one row per step (children under their parallel group), per VM
// (under its step) and per rollback action, each with its time span and tone. Pure, so the
// SVG renderer only lays rows out and tests can reason about what gets a bar.

import type { RollbackAction, RunEvent, RunReport, StepReport, VmReport } from '../../state/report-types.js';
import { formatDuration } from '../../duration.js';
import { ms, toneOf, vmTone, type Tone } from './format.js';

export interface TimelineRow {
  /** Stable id for `data-row`: step id, `stepId/vm`, `rollback/<n>`. */
  key: string;
  label: string;
  depth: number;
  kind: 'step' | 'vm' | 'rollback' | 'section';
  tone: Tone;
  /** Epoch ms; absent when the row never started (no bar). */
  start?: number;
  end?: number;
  /** Shown instead of a bar when there is none (`not started`, `skipped`). */
  note?: string;
  tooltip: string;
  /** Step id whose events are ticked on this row. */
  stepId?: string;
}

export interface Timeline {
  rows: TimelineRow[];
  /** Axis range, epoch ms. */
  t0: number;
  t1: number;
  /** Events tied to a step that has a row, and the others (drawn across the chart). */
  stepEvents: RunEvent[];
  globalEvents: RunEvent[];
}

/** Steps in display order: each top-level step followed by its children, depth-first. */
export function orderSteps(steps: StepReport[]): { step: StepReport; depth: number }[] {
  const ids = new Set(steps.map((s) => s.id));
  const out: { step: StepReport; depth: number }[] = [];
  const seen = new Set<StepReport>();
  const visit = (step: StepReport, depth: number) => {
    if (seen.has(step)) return; // guards against a parentId cycle in a hand-edited report
    seen.add(step);
    out.push({ step, depth });
    for (const child of steps) if (child.parentId === step.id) visit(child, depth + 1);
  };
  for (const step of steps) if (!step.parentId || !ids.has(step.parentId)) visit(step, 0);
  for (const step of steps) visit(step, 0); // anything left in a cycle still shows
  return out;
}

/** VM rows belong on the timeline when something was (or should have been) requested. */
function vmsOnTimeline(step: StepReport): VmReport[] {
  const vms = step.vms ?? [];
  if (step.kind === 'failover' || step.kind === 'failoverVapp') return vms;
  return vms.filter((vm) => vm.state !== 'not-started');
}

function stepRow(step: StepReport, depth: number, runEnd: number): TimelineRow {
  const tone = toneOf(step.outcome);
  const start = ms(step.startedAt);
  const end = ms(step.endedAt) ?? (start !== undefined && tone === 'running' ? runEnd : start);
  const detail = step.skipReason ?? step.error;
  const tooltip =
    `${step.name} (${step.id}, ${step.kind}): ${step.outcome}` +
    (start !== undefined && end !== undefined ? `, ${formatDuration(end - start)}` : '') +
    (detail ? ` — ${detail}` : '');
  const row: TimelineRow = { key: step.id, label: step.name, depth, kind: 'step', tone, tooltip, stepId: step.id };
  if (start !== undefined && end !== undefined) Object.assign(row, { start, end });
  else row.note = step.outcome === 'skipped' ? 'skipped' : 'not started';
  return row;
}

function vmRow(step: StepReport, vm: VmReport, depth: number, runEnd: number): TimelineRow {
  const tone = vmTone(vm.state);
  const start = ms(vm.requestedAt);
  const end = ms(vm.finishedAt) ?? (start !== undefined ? runEnd : undefined);
  const tooltip =
    `${vm.name}: ${vm.state}` +
    (start !== undefined && end !== undefined ? `, ${formatDuration(end - start)}` : '') +
    (vm.taskId ? `, task ${vm.taskId}` : '') +
    (vm.retries ? `, ${vm.retries} ${vm.retries === 1 ? 'retry' : 'retries'}` : '') +
    (vm.message ? ` — ${vm.message}` : '');
  const row: TimelineRow = { key: `${step.id}/${vm.name}`, label: vm.name, depth, kind: 'vm', tone, tooltip };
  if (start !== undefined && end !== undefined) Object.assign(row, { start, end });
  else row.note = 'not started';
  return row;
}

function rollbackRows(actions: RollbackAction[]): TimelineRow[] {
  if (actions.length === 0) return [];
  const rows: TimelineRow[] = [{ key: 'rollback', label: 'Rollback', depth: 0, kind: 'section', tone: 'pending', tooltip: 'Rollback' }];
  actions.forEach((a, i) => {
    const at = ms(a.at);
    const task = a.taskId ? `, task ${a.taskId}` : '';
    const tooltip = `${a.action} ${a.target} (step ${a.stepId})${task}: ${a.ok ? 'done' : 'FAILED'} — ${a.message}`;
    const row: TimelineRow = {
      key: `rollback/${i + 1}`,
      label: `${a.action}: ${a.target}`,
      depth: 1,
      kind: 'rollback',
      tone: a.ok ? 'succeeded' : 'failed',
      tooltip,
    };
    if (at !== undefined) Object.assign(row, { start: at, end: at });
    else row.note = 'time unknown';
    rows.push(row);
  });
  return rows;
}

export function buildTimeline(report: RunReport): Timeline {
  const times: number[] = [];
  const push = (iso: string | undefined) => {
    const t = ms(iso);
    if (t !== undefined) times.push(t);
  };
  push(report.startedAt);
  push(report.endedAt);
  for (const s of report.steps) {
    push(s.startedAt);
    push(s.endedAt);
    for (const vm of s.vms ?? []) {
      push(vm.requestedAt);
      push(vm.finishedAt);
    }
  }
  for (const a of report.rollback) push(a.at);
  for (const e of report.events) push(e.at);
  const t0 = ms(report.startedAt) ?? (times.length ? Math.min(...times) : 0);
  const latest = times.length ? Math.max(...times) : t0;
  // A running/interrupted row ends where the report ends (or at the last thing it saw).
  const runEnd = ms(report.endedAt) ?? latest;
  // Show the RTO target line when it is near enough to read the slack (or the overrun) at
  // a glance; a far-off target would squash every bar into the left edge.
  const target = report.targets.rtoMs;
  const withTarget = target !== undefined && target <= 2 * (latest - t0) ? t0 + target : 0;
  const t1 = Math.max(latest, t0 + 1000, withTarget);

  const rows: TimelineRow[] = [];
  for (const { step, depth } of orderSteps(report.steps)) {
    rows.push(stepRow(step, depth, runEnd));
    for (const vm of vmsOnTimeline(step)) rows.push(vmRow(step, vm, depth + 1, runEnd));
  }
  rows.push(...rollbackRows(report.rollback));

  const stepIds = new Set(rows.filter((r) => r.stepId).map((r) => r.stepId));
  const stepEvents: RunEvent[] = [];
  const globalEvents: RunEvent[] = [];
  for (const e of report.events) {
    if (ms(e.at) === undefined) continue;
    const global = e.type === 'session-renewal' || e.type === 'rollback-start' || !e.stepId || !stepIds.has(e.stepId);
    (global ? globalEvents : stepEvents).push(e);
  }
  return { rows, t0, t1, stepEvents, globalEvents };
}
