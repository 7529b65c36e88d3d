// What the progress view needs to know about the run, kept from the first event on: the
// listr2 tasks are drawn later than the executor acts (a VM can be requested before its
// line exists), so every answer here is replayable. Knows no listr2.

import type { Clock } from '../clock.js';
import type { ExecutorEvent, PlannedRollback } from '../state/events.js';
import type { RollbackAction } from '../state/report-types.js';
import type { RunRecorder } from '../run/recorder.js';

export type StepEnd = Extract<ExecutorEvent, { type: 'step-end' }>;
export type VmEvent = Extract<ExecutorEvent, { type: 'vm' }>;
export type Sink = (line: string) => void;

export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
}
export function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A rollback that followed a top-level step (or the interrupt). */
export interface RollbackView {
  reason: string;
  planned: PlannedRollback[];
  /** Results in arrival order; `manual` ones are what the operator must still do. */
  results: ({ kind: 'action'; action: RollbackAction } | { kind: 'manual'; text: string; target: string })[];
  /** The `action` results alone, in order: the i-th announced action is actions[i]. */
  actions: RollbackAction[];
  ended: Deferred<void>;
  listeners: Set<() => void>;
}

export const TERMINAL = new Set(['done', 'failed', 'unknown', 'stopped', 'not-started']);

export class ProgressState {
  readonly runEnd = deferred<void>();
  /** Where an event without a step of its own goes: the step drawn last. */
  current: Sink | undefined;
  private readonly started = new Map<string, Deferred<void>>();
  private readonly ended = new Map<string, Deferred<StepEnd>>();
  private readonly vmLast = new Map<string, VmEvent>();
  private readonly vmListeners = new Map<string, Set<(e: VmEvent) => void>>();
  private readonly vmTimes = new Map<string, { requested?: number; finished?: number }>();
  private readonly stepTimes = new Map<string, { started?: number; ended?: number }>();
  private readonly sinks = new Map<string, Sink>();
  /** Output of a step whose view is not drawn yet (its first lines come in the turn it starts). */
  private readonly unsunk = new Map<string, string[]>();
  private readonly slots = new Map<string, Deferred<RollbackView | undefined>>();
  private readonly topLevel: string[];
  private lastTop: string | undefined;
  private rollback: RollbackView | undefined;
  private rollbackDone = false;
  /** The executor has ended: every wait of the view resolves, whatever it waited for. */
  private closed = false;

  constructor(
    recorder: RunRecorder,
    topLevel: string[],
    private readonly clock: Clock,
  ) {
    this.topLevel = topLevel;
    recorder.on((e) => this.on(e));
  }

  stepStarted(stepId: string): Promise<void> {
    const d = get(this.started, stepId);
    if (this.closed) d.resolve();
    return d.promise;
  }
  stepEnded(stepId: string): Promise<StepEnd> {
    const d = get(this.ended, stepId);
    if (this.closed) d.resolve(endedFirst(stepId));
    return d.promise;
  }

  /**
   * The run is over (run-end, or the command gave up on the executor): release every wait,
   * now and later, so the view draws its end instead of waiting for an event that will not come.
   */
  close(): void {
    this.closed = true;
    for (const d of this.started.values()) d.resolve();
    for (const [id, d] of this.ended) d.resolve(endedFirst(id));
    for (const d of this.slots.values()) d.resolve(undefined);
    for (const id of this.topLevel) get(this.slots, id).resolve(undefined);
    this.rollback?.ended.resolve();
    this.runEnd.resolve();
  }
  setSink(stepId: string, sink: Sink): void {
    this.sinks.set(stepId, sink);
    for (const line of this.unsunk.get(stepId) ?? []) sink(line);
    this.unsunk.delete(stepId);
    this.current = sink;
  }

  /** Calls `listener` with the VM's last state at once (if any), then with every new one. */
  onVm(stepId: string, vm: string, listener: (e: VmEvent) => void): () => void {
    const key = `${stepId}/${vm}`;
    let set = this.vmListeners.get(key);
    if (!set) {
      set = new Set();
      this.vmListeners.set(key, set);
    }
    set.add(listener);
    const seen = this.vmLast.get(key);
    if (seen) listener(seen);
    return () => set.delete(listener);
  }

  /** Elapsed since the request: to now while in flight, to the end once finished. */
  vmElapsed(stepId: string, vm: string): number | undefined {
    const t = this.vmTimes.get(`${stepId}/${vm}`);
    if (t?.requested === undefined) return undefined;
    return (t.finished ?? this.clock.now()) - t.requested;
  }

  /** The step's run time, from the executor's events (the view may draw it later). */
  stepElapsed(stepId: string): number | undefined {
    const t = this.stepTimes.get(stepId);
    if (t?.started === undefined) return undefined;
    return (t.ended ?? this.clock.now()) - t.started;
  }

  /** Resolves once it is known whether a rollback ran right after this top-level step. */
  rollbackAfter(stepId: string): Promise<RollbackView | undefined> {
    const d = get(this.slots, stepId);
    if (this.closed) d.resolve(undefined);
    return d.promise;
  }

  private on(e: ExecutorEvent): void {
    switch (e.type) {
      case 'step-start':
        this.stepTimes.set(e.stepId, { started: this.clock.now() });
        this.topMoved(e.stepId);
        get(this.started, e.stepId).resolve();
        break;
      case 'step-end': {
        const times = this.stepTimes.get(e.stepId);
        if (times) times.ended = this.clock.now();
        this.topMoved(e.stepId);
        if (this.topLevel.includes(e.stepId)) this.lastTop = e.stepId;
        get(this.ended, e.stepId).resolve(e);
        break;
      }
      case 'vm': {
        const key = `${e.stepId}/${e.vm}`;
        const times = this.vmTimes.get(key) ?? {};
        if (e.state === 'requested') times.requested ??= this.clock.now();
        if (TERMINAL.has(e.state)) times.finished = this.clock.now();
        this.vmTimes.set(key, times);
        this.vmLast.set(key, e);
        for (const l of this.vmListeners.get(key) ?? []) l(e);
        break;
      }
      case 'output': {
        const sink = this.sinks.get(e.stepId);
        if (sink) sink(e.text);
        else this.unsunk.set(e.stepId, [...(this.unsunk.get(e.stepId) ?? []), e.text]);
        break;
      }
      case 'event':
        ((e.stepId !== undefined ? this.sinks.get(e.stepId) : undefined) ?? this.current)?.(`${e.kind}: ${e.message}`);
        break;
      case 'rollback-start': {
        this.rollback = { reason: e.reason, planned: e.planned, results: [], actions: [], ended: deferred<void>(), listeners: new Set() };
        // Drawn after the step it follows; an interrupt's rollback comes after every step.
        const at = this.lastTop ?? this.topLevel.at(-1);
        if (at !== undefined) get(this.slots, at).resolve(this.rollback);
        break;
      }
      case 'rollback':
        if (this.rollback && !this.rollbackDone) {
          // Manual actions are drawn once, from their own event.
          if (e.action.action !== 'manual') this.push({ kind: 'action', action: e.action });
        } else {
          // A stop outside a rollback (a step's timeout): the step's own output says it.
          (this.sinks.get(e.action.stepId) ?? this.current)?.(
            `stop ${e.action.target}${e.action.taskId ? ` (${e.action.taskId})` : ''}: ${e.action.message}`,
          );
        }
        break;
      case 'manual':
        if (this.rollback && !this.rollbackDone) this.push({ kind: 'manual', text: e.action.instruction, target: e.action.target });
        break;
      case 'rollback-end':
        this.rollback?.ended.resolve();
        this.rollbackDone = true;
        break;
      case 'run-end':
        this.close();
        break;
    }
  }

  private push(result: RollbackView['results'][number]): void {
    const view = this.rollback!;
    view.results.push(result);
    if (result.kind === 'action') view.actions.push(result.action);
    for (const l of view.listeners) l();
  }

  /** A top-level step other than the last one moved: no rollback followed the last one. */
  private topMoved(stepId: string): void {
    if (!this.topLevel.includes(stepId) || this.lastTop === undefined || this.lastTop === stepId) return;
    get(this.slots, this.lastTop).resolve(undefined);
  }
}

/** What a step that never reported its end is drawn as, once the run is over. */
function endedFirst(stepId: string): StepEnd {
  return { type: 'step-end', stepId, outcome: 'skipped', skipReason: 'the run ended first' };
}

function get<T>(m: Map<string, Deferred<T>>, k: string): Deferred<T> {
  let d = m.get(k);
  if (!d) {
    d = deferred<T>();
    m.set(k, d);
  }
  return d;
}
