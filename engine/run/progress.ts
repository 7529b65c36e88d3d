// listr2 progress: a VIEW over executor events (the executor does not know listr2). One
// task per step, a subtask per VM with its live state and elapsed time; retries, session
// renewals and rollback actions show as output. Rollback gets its own task list once the
// steps are drawn. Never registers signal listeners and never exits the process: cli.ts
// owns SIGINT/SIGTERM.

import { Writable } from 'node:stream';
import { Listr, ListrLogger, PRESET_TIMESTAMP, ProcessOutput, type ListrTask } from 'listr2';
import type { Clock } from '../clock.js';
import type { Output } from '../commands/io.js';
import type { Plan, PlanStep } from '../plan/types.js';
import type { ExecutorEvent, LiveVmState } from './events.js';
import type { RunRecorder } from './recorder.js';

export type ProgressRenderer = 'default' | 'verbose' | 'simple' | 'silent' | 'test';

export interface ProgressOptions {
  plan: Plan;
  recorder: RunRecorder;
  renderer: ProgressRenderer;
  clock: Clock;
  stdout: Output;
  stderr: Output;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

type StepEnd = Extract<ExecutorEvent, { type: 'step-end' }>;
type Sink = (line: string) => void;

const TERMINAL: LiveVmState[] = ['done', 'failed', 'unknown', 'stopped', 'not-started'];

/** Starts the view; `done` resolves once everything (rollback included) is drawn. */
export function startProgress(o: ProgressOptions): { done: Promise<void> } {
  const started = new Map<string, Deferred<void>>();
  const ended = new Map<string, Deferred<StepEnd>>();
  // VM events are kept from the start: they can come before the VM's subtask is drawn.
  const vmWaiters = new Map<string, ((e: Extract<ExecutorEvent, { type: 'vm' }>) => void)[]>();
  const vmLast = new Map<string, Extract<ExecutorEvent, { type: 'vm' }>>();
  const outputs = new Map<string, Sink>();
  const rollbackEvents: ExecutorEvent[] = [];
  const rollbackEnd = deferred<void>();
  const runEnd = deferred<void>();
  let rollbackSeen = false;
  let current: Sink | undefined;
  const get = <T>(m: Map<string, Deferred<T>>, k: string) => {
    let d = m.get(k);
    if (!d) m.set(k, (d = deferred<T>()));
    return d;
  };

  o.recorder.on((e) => {
    switch (e.type) {
      case 'step-start':
        get(started, e.stepId).resolve();
        break;
      case 'step-end':
        get(ended, e.stepId).resolve(e);
        break;
      case 'vm':
        vmLast.set(`${e.stepId}/${e.vm}`, e);
        for (const w of vmWaiters.get(`${e.stepId}/${e.vm}`) ?? []) w(e);
        break;
      case 'output':
        outputs.get(e.stepId)?.(e.text);
        break;
      case 'event':
        (e.stepId !== undefined ? outputs.get(e.stepId) : undefined)?.(`${e.kind}: ${e.message}`) ?? current?.(`${e.kind}: ${e.message}`);
        break;
      case 'rollback-start':
      case 'rollback':
      case 'manual':
        rollbackSeen = true;
        rollbackEvents.push(e);
        current?.(e.type === 'rollback-start' ? `rolling back: ${e.reason}` : e.type === 'rollback' ? `rollback: ${e.action.target}: ${e.action.message}` : `manual: ${e.action.instruction}`);
        break;
      case 'rollback-end':
        rollbackEnd.resolve();
        break;
      case 'run-end':
        runEnd.resolve();
        break;
    }
  });

  const stepTask = (step: PlanStep): ListrTask => ({
    title: step.name,
    task: async (_ctx, task) => {
      const sink: Sink = (line) => (task.output = line);
      current = sink;
      const end = get(ended, step.id).promise;
      const first = await Promise.race([get(started, step.id).promise.then(() => undefined), end]);
      if (first?.outcome === 'skipped') return task.skip(`${step.name}: skipped (${first.skipReason ?? ''})`);
      outputs.set(step.id, sink);
      const t0 = o.clock.now();
      if (step.kind === 'parallel') {
        return task.newListr(step.steps.map(stepTask), { concurrent: true, exitOnError: false });
      }
      const targets = step.kind === 'failover' ? step.vms.map((v) => v.name) : step.kind === 'failoverVapp' ? [step.vapp.name] : [];
      if (targets.length > 0) {
        return task.newListr(
          targets.map((vm) => vmTask(step.id, vm, end)),
          { concurrent: true, exitOnError: false },
        );
      }
      const result = await end;
      task.title = `${step.name} (${secs(o.clock.now() - t0)})`;
      if (result.outcome === 'failed') throw new Error(`${step.name}: ${result.error ?? 'failed'}`);
      if (result.outcome === 'skipped') task.skip(`${step.name}: skipped (${result.skipReason ?? ''})`);
      return undefined;
    },
  });

  const vmTask = (stepId: string, vm: string, stepEnd: Promise<StepEnd>): ListrTask => ({
    title: `${vm}: queued`,
    task: async (_ctx, task) => {
      let t0: number | undefined;
      let last: Extract<ExecutorEvent, { type: 'vm' }> | undefined;
      const key = `${stepId}/${vm}`;
      const done = deferred<void>();
      const listener = (e: Extract<ExecutorEvent, { type: 'vm' }>) => {
        last = e;
        if (e.state === 'requested' && t0 === undefined) t0 = o.clock.now();
        const elapsed = t0 !== undefined ? ` ${secs(o.clock.now() - t0)}` : '';
        task.title = `${vm}: ${e.state}${e.taskId ? ` (${e.taskId})` : ''}${elapsed}${e.message ? `: ${e.message}` : ''}`;
        if (TERMINAL.includes(e.state)) done.resolve();
      };
      vmWaiters.set(key, [...(vmWaiters.get(key) ?? []), listener]);
      const seen = vmLast.get(key);
      if (seen) listener(seen);
      // The step can end with the VM still in flight (cancelled for rollback): then wait for rollback's verdict.
      await Promise.race([done.promise, stepEnd.then(() => (last && !TERMINAL.includes(last.state) ? Promise.race([done.promise, runEnd.promise]) : undefined))]);
      if (last?.state === 'failed' || last?.state === 'unknown' || last?.state === 'stopped') throw new Error(task.title ?? vm);
      if (!last || last.state === 'not-started' || last.state === 'queued') task.skip(`${vm}: not requested`);
    },
  });

  const main = new Listr(o.plan.steps.map(stepTask), listrOptions(o));
  const done = (async () => {
    await main.run();
    await runEnd.promise;
    if (!rollbackSeen) return;
    await rollbackEnd.promise;
    const actions = rollbackEvents.filter((e) => e.type === 'rollback' || e.type === 'manual');
    const list = new Listr(
      [
        {
          title: 'Rollback',
          task: (_ctx, task) =>
            task.newListr(
              actions.map((e) => ({
                title: e.type === 'rollback' ? `${e.action.action} ${e.action.target}${e.action.taskId ? ` (${e.action.taskId})` : ''}` : `manual: ${e.type === 'manual' ? e.action.target : ''}`,
                task: () => {
                  if (e.type === 'rollback' && !e.action.ok) throw new Error(e.action.message);
                  if (e.type === 'manual') throw new Error(e.action.instruction);
                },
              })),
              { exitOnError: false },
            ),
        },
      ],
      listrOptions(o),
    );
    await list.run();
  })();
  return { done };
}

function listrOptions(o: ProgressOptions) {
  const base = { registerSignalListeners: false, exitOnError: false, collectErrors: false as const };
  if (o.renderer === 'default') return { ...base, renderer: 'default' as const, rendererOptions: { collapseSubtasks: false, showErrorMessage: true } };
  if (o.renderer === 'silent' || o.renderer === 'test') return { ...base, renderer: o.renderer, fallbackRenderer: o.renderer };
  // listr2 picks the fallback renderer whenever process.stdout is not a TTY: name ours for both.
  const logger = new ListrLogger({ useIcons: false, processOutput: new ProcessOutput(toStream(o.stdout), toStream(o.stderr)) });
  if (o.renderer === 'verbose') {
    const rendererOptions = { logger, timestamp: PRESET_TIMESTAMP, logTitleChange: true };
    return { ...base, renderer: 'verbose' as const, rendererOptions, fallbackRenderer: 'verbose' as const, fallbackRendererOptions: rendererOptions };
  }
  const rendererOptions = { logger, timestamp: PRESET_TIMESTAMP };
  return { ...base, renderer: 'simple' as const, rendererOptions, fallbackRenderer: 'simple' as const, fallbackRendererOptions: rendererOptions };
}

/** An Output as the WriteStream listr2's logger expects. */
function toStream(out: Output): NodeJS.WriteStream {
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      out.write(typeof chunk === 'string' ? chunk : chunk.toString());
      cb();
    },
  });
  // listr2 writes synchronously through .write(); the Writable above forwards at once.
  return Object.assign(stream, { isTTY: out.isTTY }) as unknown as NodeJS.WriteStream;
}

function secs(ms: number): string {
  return `${Math.max(0, Math.round(ms / 1000))}s`;
}
