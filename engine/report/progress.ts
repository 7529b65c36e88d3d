// listr2 progress: a VIEW over executor events (the executor does not know listr2). One
// task per step, a subtask per VM with its live state and elapsed time; a step whose VM
// (or child step) failed is FAILED, not completed. A rollback is drawn as its own task right
// after the step that caused it, one subtask per action as it runs. Retries and session
// renewals show as output. Never registers signal listeners and never exits the process:
// cli.ts owns SIGINT/SIGTERM.

import { Listr, ListrDefaultRendererLogLevels, ListrErrorTypes, ListrLogger, ProcessOutput, color, figures, type ListrTask } from 'listr2';
import { systemClock, type Clock } from '../clock.js';
import type { Output } from '../io.js';
import { formatDuration } from '../duration.js';
import type { Plan, PlanStep } from '../plan/types.js';
import type { PlannedRollback } from '../state/events.js';
import { ProgressState, TERMINAL, deferred, type RollbackView, type StepEnd, type VmEvent } from './progress-state.js';
import type { RunRecorder } from '../run/recorder.js';
import type { RollbackAction } from '../state/report-types.js';
import { ROLLBACK_VERBS } from './summary.js';
import { toStream } from './progress-stream.js';
import { terminalLine as safe } from '../terminal-safe.js';
import { settleWithin } from './settle.js';

export type ProgressRenderer = 'default' | 'verbose' | 'simple' | 'silent' | 'test';

export interface ProgressOptions {
  plan: Plan;
  recorder: RunRecorder;
  renderer: ProgressRenderer;
  clock: Clock;
  stdout: Output;
  stderr: Output;
  /** Rehearsals: the clock runs this many times faster than real time (said in the first line). */
  timeScale?: number;
  /** Real time, for the drawing grace of `finish()` (tests inject a FakeClock). @default systemClock */
  realClock?: Clock;
}

export interface ProgressView {
  /** Settles once listr2 has drawn everything. Nothing must wait on it alone: see `finish`. */
  done: Promise<void>;
  /**
   * Ends the view because the executor has ended: releases every wait of the view, gives
   * listr2 a moment to draw the last lines, and resolves either way. The command's
   * completion (summary, reports, exit code) depends on this, never on `done`.
   */
  finish(): Promise<void>;
}

/** How long `finish` lets listr2 draw its last lines once every wait is released. */
export const FINISH_GRACE_MS = 2000;

type Wrapper = Parameters<Extract<ListrTask['task'], (...a: never[]) => unknown>>[1];

/**
 * A subtask list that, once all its tasks are drawn, fails its parent when `verdict` says
 * so: listr2 otherwise shows a parent as completed whatever its subtasks did.
 */
class VerdictListr extends Listr {
  constructor(
    tasks: ListrTask[],
    options: { concurrent: boolean },
    private readonly parent: Wrapper,
    private readonly verdict: () => Promise<string | undefined>,
  ) {
    super(tasks, { ...options, exitOnError: false }, parent.task);
  }
  override async run(context?: unknown): Promise<never> {
    const ctx = (await super.run(context as never)) as never;
    const failure = await this.verdict();
    if (failure === undefined) return ctx;
    const error = new Error(failure);
    // listr2 reports a failed parent only when it has no subtasks: say it, for the line renderers.
    this.parent.report(error, ListrErrorTypes.HAS_FAILED);
    throw error;
  }
}

/** Starts the view; end it with `finish()` once the executor has ended. */
export function startProgress(o: ProgressOptions): ProgressView {
  // `--quiet` draws nothing: no listr2 tree at all (one task per VM costs CPU and memory
  // that a 10,000-VM run feels; the summary comes from the report).
  if (o.renderer === 'silent') return { done: Promise.resolve(), finish: () => Promise.resolve() };
  const { clock } = o;
  const state = new ProgressState(
    o.recorder,
    o.plan.steps.map((s) => s.id),
    clock,
  );
  const ticker = o.renderer === 'default' ? startTicker(clock, 1000 * (o.timeScale ?? 1)) : undefined;
  const elapsed = (ms: number | undefined) => (ms === undefined ? '' : ` ${formatDuration(Math.round(ms / 1000) * 1000)}`);

  const stepTask = (step: PlanStep): ListrTask => ({
    title: safe(step.name),
    task: async (_ctx, task) => {
      const end = state.stepEnded(step.id);
      const first = await Promise.race([state.stepStarted(step.id).then(() => undefined), end]);
      if (first?.outcome === 'skipped') return task.skip(safe(`${step.name}: skipped (${first.skipReason ?? ''})`));
      state.setSink(step.id, (line) => (task.output = safe(line)));
      // A gate's title says what to check; the output line below it, how to decide.
      if (step.kind === 'approval') task.title = safe(`${step.name}: ${step.message}`);
      const verdict = async () => {
        const result = await end;
        task.title = safe(`${step.name}${elapsed(state.stepElapsed(step.id))}`);
        return result.outcome === 'failed' ? safe(`${step.name}: ${result.error ?? 'failed'}`) : undefined;
      };
      if (step.kind === 'parallel') return new VerdictListr(step.steps.map(stepTask), { concurrent: true }, task, verdict);
      const targets = step.kind === 'failover' ? step.vms.map((v) => v.name) : step.kind === 'failoverVapp' ? [step.vapp.name] : [];
      if (targets.length > 0)
        return new VerdictListr(
          targets.map((vm) => vmTask(step.id, vm, end)),
          { concurrent: true },
          task,
          verdict,
        );
      const failure = await verdict();
      if (failure !== undefined) throw new Error(failure);
      const result = await end;
      if (result.outcome === 'skipped') task.skip(safe(`${step.name}: skipped (${result.skipReason ?? ''})`));
      return undefined;
    },
  });

  const vmTask = (stepId: string, vm: string, stepEnd: Promise<StepEnd>): ListrTask => ({
    title: safe(`${vm}: queued`),
    task: async (_ctx, task) => {
      let last: VmEvent | undefined;
      const done = deferred<void>();
      const draw = () => {
        if (!last) return;
        const e = last;
        task.title = safe(
          `${vm}: ${e.state}${e.taskId ? ` (${e.taskId})` : ''}${elapsed(state.vmElapsed(stepId, vm))}${e.message ? `: ${e.message}` : ''}`,
        );
      };
      const off = state.onVm(stepId, vm, (e) => {
        last = e;
        draw();
        if (TERMINAL.has(e.state)) done.resolve();
      });
      const untick = ticker?.add(() => last && !TERMINAL.has(last.state) && draw());
      try {
        // The step can end with the VM still in flight (cancelled for rollback): then wait for rollback's verdict.
        const inFlight = () => last !== undefined && !TERMINAL.has(last.state) && last.state !== 'queued';
        await Promise.race([
          done.promise,
          stepEnd.then(() => (inFlight() ? Promise.race([done.promise, state.runEnd.promise]) : undefined)),
        ]);
      } finally {
        off();
        untick?.();
      }
      const s = last?.state;
      if (s === 'failed' || s === 'unknown' || s === 'stopped') throw new Error(task.title ?? safe(vm));
      if (s === undefined || s === 'queued' || s === 'not-started') return task.skip(safe(`${vm}: not requested`));
      if (s !== 'done') throw new Error(`${task.title ?? safe(vm)}: still ${s} when the run ended: check it in the Veeam console`);
      return undefined;
    },
  });

  // Invisible (no title) unless a rollback runs right after `stepId`.
  const rollbackTask = (stepId: string): ListrTask => ({
    task: async (_ctx, task) => {
      const view = await state.rollbackAfter(stepId);
      if (!view) return undefined;
      task.title = safe(`Rollback: ${view.reason}`);
      const items: ListrTask[] = view.planned.map((p, i) => ({
        title: plannedTitle(p),
        task: async (_c, t) => {
          const action = await actionAt(view, i);
          if (!action) throw new Error(`${plannedTitle(p)}: no result (the rollback ended first)`);
          t.title = safe(`${plannedTitle(p)}: ${action.message}`);
          if (!action.ok) throw new Error(t.title);
        },
      }));
      // What no tool can undo, listed once rollback has said everything.
      items.push({
        task: async (_c, t) => {
          await view.ended.promise;
          const manual = view.results.flatMap((r) => (r.kind === 'manual' ? [r] : []));
          if (manual.length === 0) return undefined;
          t.title = `Left for the operator (${manual.length})`;
          return t.newListr(
            manual.map((m) => ({ title: safe(`manual: ${m.text}`), task: () => Promise.reject(new Error(safe(`manual: ${m.text}`))) })),
            { exitOnError: false },
          );
        },
      });
      return new VerdictListr(items, { concurrent: false }, task, async () => {
        await view.ended.promise;
        const failed = view.results.filter((r) => r.kind === 'manual' || !r.action.ok).length;
        return failed > 0 ? `Rollback: ${failed} item${failed === 1 ? '' : 's'} left for the operator` : undefined;
      });
    },
  });

  const tasks = o.plan.steps.flatMap((s) => [stepTask(s), rollbackTask(s.id)]);
  const header = firstLine(o);
  if (header !== undefined) o.stdout.write(`${safe(header)}\n`);
  const done = (async () => {
    try {
      await new Listr(tasks, listrOptions(o)).run();
      await state.runEnd.promise;
    } finally {
      ticker?.stop();
    }
  })();
  const finish = async () => {
    state.close();
    const drawn = await settleWithin(done, o.realClock ?? systemClock, FINISH_GRACE_MS);
    ticker?.stop();
    if (!drawn) o.stderr.write('(the progress view did not finish drawing; the summary below is complete)\n');
  };
  return { done, finish };
}

function plannedTitle(p: PlannedRollback): string {
  return safe(`${ROLLBACK_VERBS[p.action]} ${p.target}${p.taskId ? ` (${p.taskId})` : ''}`);
}

/** The i-th action result of the rollback (actions report in the order announced), or undefined if it ends first. */
function actionAt(view: RollbackView, i: number): Promise<RollbackAction | undefined> {
  // Indexed, not rebuilt from all results on every event: a rollback of thousands of VMs.
  const find = () => view.actions[i];
  return new Promise((resolve) => {
    const look = () => {
      const found = find();
      if (found === undefined) return;
      view.listeners.delete(look);
      resolve(found);
    };
    view.listeners.add(look);
    look();
    void view.ended.promise.then(() => {
      view.listeners.delete(look);
      resolve(find());
    });
  });
}

/** Says what the times mean before the first task line. */
function firstLine(o: ProgressOptions): string | undefined {
  if (o.renderer === 'silent' || o.renderer === 'test') return undefined;
  const scaled = o.plan.server.simulated && o.timeScale !== undefined && o.timeScale !== 1;
  const sim = scaled ? `times and durations are simulated (the simulated EM runs ×${o.timeScale} faster than real time)` : '';
  if (o.renderer === 'default') return scaled ? `Rehearsal: ${sim}.` : undefined;
  return `Timestamps are UTC${scaled ? `; ${sim}` : ''}.`;
}

/** Redraws running VMs' elapsed time every `everyMs` of run time (one real second). */
function startTicker(clock: Clock, everyMs: number) {
  const draws = new Set<() => unknown>();
  const stop = new AbortController();
  void (async () => {
    while (!stop.signal.aborted) {
      try {
        await clock.sleep(everyMs, stop.signal);
      } catch {
        return; // stopped: the run is drawn
      }
      for (const d of draws) d();
    }
  })();
  return {
    add: (d: () => unknown) => {
      draws.add(d);
      return () => void draws.delete(d);
    },
    stop: () => stop.abort(),
  };
}

function listrOptions(o: ProgressOptions) {
  const base = { registerSignalListeners: false, exitOnError: false, collectErrors: false as const };
  if (o.renderer === 'default') {
    // A parent that failed with failed subtasks gets the ✖ too (listr2 draws a red ❯ by default).
    const icon = { [ListrDefaultRendererLogLevels.FAILED_WITH_FAILED_SUBTASKS]: figures.cross };
    return { ...base, renderer: 'default' as const, rendererOptions: { collapseSubtasks: false, showErrorMessage: true, icon } };
  }
  if (o.renderer === 'silent' || o.renderer === 'test') return { ...base, renderer: o.renderer, fallbackRenderer: o.renderer };
  // listr2 picks the fallback renderer whenever process.stdout is not a TTY: name ours for both.
  const logger = new ListrLogger({ useIcons: false, processOutput: new ProcessOutput(toStream(o.stdout), toStream(o.stderr)) });
  // The run's clock, in UTC: the same time line as the journal and the report.
  const timestamp = { condition: true, field: () => new Date(o.clock.now()).toISOString().slice(11, 19), format: () => color.dim };
  if (o.renderer === 'verbose') {
    const rendererOptions = { logger, timestamp, logTitleChange: true };
    return {
      ...base,
      renderer: 'verbose' as const,
      rendererOptions,
      fallbackRenderer: 'verbose' as const,
      fallbackRendererOptions: rendererOptions,
    };
  }
  const rendererOptions = { logger, timestamp };
  return {
    ...base,
    renderer: 'simple' as const,
    rendererOptions,
    fallbackRenderer: 'simple' as const,
    fallbackRendererOptions: rendererOptions,
  };
}
