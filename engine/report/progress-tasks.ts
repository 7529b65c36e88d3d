// The listr2 task tree of the progress view (progress.ts): a step's task, its VMs'
// subtasks with live state and elapsed time, and the rollback drawn after the step that
// caused it. Each task waits on ProgressState's events; a parent fails when what it holds did.

import { Listr, ListrErrorTypes, type ListrTask } from 'listr2';
import type { Clock } from '../clock.js';
import { formatDuration } from '../duration.js';
import type { PlanStep } from '../plan/types.js';
import type { PlannedRollback } from '../state/events.js';
import { type ProgressState, TERMINAL, deferred, type RollbackView, type StepEnd, type VmEvent } from './progress-state.js';
import type { RollbackAction } from '../state/report-types.js';
import { ROLLBACK_VERBS } from './summary.js';
import { terminalLine as safe } from '../terminal-safe.js';

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

/** Redraws running VMs' elapsed time every `everyMs` of run time (one real second). */
export function startTicker(clock: Clock, everyMs: number) {
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

type Ticker = ReturnType<typeof startTicker>;

/** ` 12s` after a title: whole seconds, `0s` under one. */
function elapsed(ms: number | undefined): string {
  return ms === undefined ? '' : ` ${formatDuration(Math.round(ms / 1000) * 1000)}`;
}

/** The listr2 tasks of a run, each drawn from the events its step, VM or rollback receives. */
export class ProgressTasks {
  constructor(
    private readonly state: ProgressState,
    private readonly ticker: Ticker | undefined,
  ) {}

  /** One task per step; a parallel step's children and a failover's VMs are its subtasks. */
  step(step: PlanStep): ListrTask {
    const { state } = this;
    return {
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
        if (step.kind === 'parallel') {
          return new VerdictListr(
            step.steps.map((s) => this.step(s)),
            { concurrent: true },
            task,
            verdict,
          );
        }
        const targets = step.kind === 'failover' ? step.vms.map((v) => v.name) : step.kind === 'failoverVapp' ? [step.vapp.name] : [];
        if (targets.length > 0) {
          return new VerdictListr(
            targets.map((vm) => this.vm(step.id, vm, end)),
            { concurrent: true },
            task,
            verdict,
          );
        }
        const failure = await verdict();
        if (failure !== undefined) throw new Error(failure);
        const result = await end;
        if (result.outcome === 'skipped') task.skip(safe(`${step.name}: skipped (${result.skipReason ?? ''})`));
        return undefined;
      },
    };
  }

  /** A VM's live state, task id and elapsed time; it fails unless the VM ended `done`. */
  private vm(stepId: string, vm: string, stepEnd: Promise<StepEnd>): ListrTask {
    const { state, ticker } = this;
    return {
      title: safe(`${vm}: queued`),
      task: async (_ctx, task) => {
        let last: VmEvent | undefined;
        const done = deferred<void>();
        const draw = () => {
          if (!last) return;
          const e = last;
          const taskId = e.taskId ? ` (${e.taskId})` : '';
          task.title = safe(`${vm}: ${e.state}${taskId}${elapsed(state.vmElapsed(stepId, vm))}${e.message ? `: ${e.message}` : ''}`);
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
          const afterStep = stepEnd.then(() => (inFlight() ? Promise.race([done.promise, state.runEnd.promise]) : undefined));
          await Promise.race([done.promise, afterStep]);
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
    };
  }

  /** Invisible (no title) unless a rollback runs right after `stepId`; then one subtask per action. */
  rollback(stepId: string): ListrTask {
    return {
      task: async (_ctx, task) => {
        const view = await this.state.rollbackAfter(stepId);
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
        items.push(leftForOperator(view));
        return new VerdictListr(items, { concurrent: false }, task, async () => {
          await view.ended.promise;
          const failed = view.results.filter((r) => r.kind === 'manual' || !r.action.ok).length;
          return failed > 0 ? `Rollback: ${failed} item${failed === 1 ? '' : 's'} left for the operator` : undefined;
        });
      },
    };
  }
}

/** What no tool can undo, listed once rollback has said everything. */
function leftForOperator(view: RollbackView): ListrTask {
  return {
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
  };
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
