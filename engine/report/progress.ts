// listr2 progress: a VIEW over executor events (the executor does not know listr2). One
// task per step, a subtask per VM with its live state and elapsed time; a step whose VM
// (or child step) failed is FAILED, not completed. A rollback is drawn as its own task right
// after the step that caused it, one subtask per action as it runs. Retries and session
// renewals show as output. Never registers signal listeners and never exits the process:
// cli.ts owns SIGINT/SIGTERM.

import { Listr, ListrDefaultRendererLogLevels, ListrLogger, ProcessOutput, color, figures } from 'listr2';
import { systemClock, type Clock } from '../clock.js';
import type { Output } from '../io.js';
import type { Plan } from '../plan/types.js';
import { ProgressState } from './progress-state.js';
import { ProgressTasks, startTicker } from './progress-tasks.js';
import type { RunRecorder } from '../run/recorder.js';
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
  const view = new ProgressTasks(state, ticker);
  const tasks = o.plan.steps.flatMap((s) => [view.step(s), view.rollback(s.id)]);
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

/** Says what the times mean before the first task line. */
function firstLine(o: ProgressOptions): string | undefined {
  if (o.renderer === 'silent' || o.renderer === 'test') return undefined;
  const scaled = o.plan.server.simulated && o.timeScale !== undefined && o.timeScale !== 1;
  const sim = scaled ? `times and durations are simulated (the simulated EM runs ×${o.timeScale} faster than real time)` : '';
  if (o.renderer === 'default') return scaled ? `Rehearsal: ${sim}.` : undefined;
  return `Timestamps are UTC${scaled ? `; ${sim}` : ''}.`;
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
