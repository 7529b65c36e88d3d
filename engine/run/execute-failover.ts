// Failover steps: VMs fan out with bounded concurrency; vApps and failover plans are one
// task each. A VM failure stops launching the queued VMs unless the step says `continue`;
// under `rollback` it also cancels the VMs in flight, so rollback can stop their tasks.

import { errorMessage } from '../errors.js';
import type { PlanFailoverPlanStep, PlanFailoverStep, PlanFailoverVappStep } from '../plan/types.js';
import { StepTimeoutError, type ExecContext, type StepResult } from './context.js';
import { runTaskJob, type JobResult, type TaskJob } from './execute-task.js';
import type { Release } from './in-flight.js';

export interface StepControl {
  signal: AbortSignal;
  cancel: (reason: unknown) => void;
}

/** Why in-flight work was cancelled because a sibling failed under `rollback`. */
export class SiblingFailedError extends Error {
  override name = 'SiblingFailedError';
}

export async function runFailoverStep(ctx: ExecContext, step: PlanFailoverStep, control: StepControl): Promise<StepResult> {
  const { recorder } = ctx;
  const queue = [...step.vms];
  for (const vm of queue) recorder.vmState(step.id, vm.name, 'queued');
  let stopLaunching = false;
  const failures: string[] = [];

  /** One lane of the step's concurrency: VMs one after another, each under a run-wide slot. */
  const worker = async (granted: Release) => {
    let release: Release | undefined = granted;
    while (release) {
      // A VM leaves the queue only once it has a slot, so it never does while its step may
      // still stop launching.
      const vm = stopLaunching || control.signal.aborted ? undefined : queue.shift();
      if (!vm) {
        release();
        return;
      }
      const result = await runTaskJob(
        ctx,
        {
          stepId: step.id,
          op: 'cdp-failover',
          target: vm.name,
          targetId: vm.id,
          call: vm.call,
          replica: vm.replicaName,
          restorePoint: step.restorePoint,
          subject: `VM "${vm.name}"`,
          retry: step.retry,
          onState: (state, detail) => recorder.vmState(step.id, vm.name, state, detail ?? {}),
        },
        control.signal,
      ).finally(release);
      if (isFailure(result)) {
        failures.push(`${vm.name}: ${result.message ?? result.outcome}`);
        if (step.onFailure !== 'continue') stopLaunching = true;
        if (step.onFailure === 'rollback') control.cancel(new SiblingFailedError(`VM "${vm.name}" failed`));
      }
      release = stopLaunching || control.signal.aborted || queue.length === 0 ? undefined : await slot(ctx, control.signal);
    }
  };
  // The step's first slots come from one place in line (in-flight.ts, grants): each starts a
  // worker. Later slots are asked for one at a time, at the back, as a worker finishes a VM.
  const workers: Promise<void>[] = [];
  await ctx.inFlight.grants(Math.min(step.concurrency, step.vms.length), control.signal, (release) => workers.push(worker(release)));
  await Promise.all(workers);
  for (const vm of queue) recorder.vmState(step.id, vm.name, 'not-started', { message: 'not requested: the step stopped' });
  return conclude(control.signal, failures, step.vms.length, 'VM');
}

export async function runVappStep(ctx: ExecContext, step: PlanFailoverVappStep, control: StepControl): Promise<StepResult> {
  const vapp = step.vapp;
  const result = await runCapped(
    ctx,
    {
      stepId: step.id,
      op: 'vapp-failover',
      target: vapp.name,
      targetId: vapp.id,
      call: vapp.call,
      replica: vapp.replicaName,
      restorePoint: step.restorePoint,
      subject: `vApp "${vapp.name}"`,
      retry: step.retry,
      onState: (state, detail) => ctx.recorder.vmState(step.id, vapp.name, state, detail ?? {}),
    },
    control.signal,
  );
  return conclude(control.signal, isFailure(result) ? [`${vapp.name}: ${result.message ?? result.outcome}`] : [], 1, 'vApp');
}

export async function runPlanStep(ctx: ExecContext, step: PlanFailoverPlanStep, control: StepControl): Promise<StepResult> {
  const result = await runCapped(
    ctx,
    {
      stepId: step.id,
      op: step.action === 'start' ? 'plan-start' : 'plan-undo',
      target: step.plan.name,
      targetId: step.plan.id,
      call: step.call,
      subject: `failover plan "${step.plan.name}"`,
      retry: step.retry,
      // The plan's task and message come from the request lines (apply-entry.ts).
      onState: (state, detail) => {
        if (detail?.message) ctx.recorder.output(step.id, `${state}: ${detail.message}`);
      },
    },
    control.signal,
  );
  return conclude(control.signal, isFailure(result) ? [`${step.plan.name}: ${result.message ?? result.outcome}`] : [], 1, 'plan');
}

const NOT_STARTED: JobResult = { outcome: 'not-started' };

/** A single-task step under the run-wide cap: not started when aborted while waiting for a slot. */
async function runCapped(ctx: ExecContext, job: TaskJob, signal: AbortSignal): Promise<JobResult> {
  const release = await slot(ctx, signal);
  return release ? runTaskJob(ctx, job, signal).finally(release) : NOT_STARTED;
}

/** One slot of the run-wide cap; undefined when the step was aborted while waiting (nothing sent). */
async function slot(ctx: ExecContext, signal: AbortSignal): Promise<Release | undefined> {
  try {
    return await ctx.inFlight.acquire(signal);
  } catch {
    // Aborted while queued for a slot (the only way acquire rejects): nothing was sent, and
    // the caller reports the step signal's reason.
    return undefined;
  }
}

function isFailure(r: JobResult): boolean {
  return r.outcome === 'failed' || r.outcome === 'unknown';
}

function conclude(signal: AbortSignal, failures: string[], total: number, noun: string): StepResult {
  if (signal.aborted && signal.reason instanceof StepTimeoutError) {
    return { outcome: 'failed', timedOut: true, error: [errorMessage(signal.reason), ...failures].join('; ') };
  }
  if (failures.length > 0) {
    const head = total > 1 ? `${failures.length} of ${total} ${noun}s failed: ` : '';
    return { outcome: 'failed', error: head + failures.join('; ') };
  }
  if (signal.aborted) return { outcome: 'failed', error: errorMessage(signal.reason) };
  return { outcome: 'succeeded' };
}
