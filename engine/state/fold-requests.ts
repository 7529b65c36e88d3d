// Folding the request lines (intent, answer, task result, a VM's state said outright) into
// the report: each mutating call is tracked by step and target, and its state is copied
// onto the VM (or the plan step) it acts on. Split from apply-entry.ts, which dispatches here.

import type { JournalEntry } from './journal-types.js';
import type { RunReport } from './report-types.js';
import { addVm, finish, findVm, foldIndex, msBetween, requestKey, stepOf, vmMessages, type RequestTrack } from './fold-index.js';

/** One journal line of the given type. */
export type Entry<T extends JournalEntry['type']> = Extract<JournalEntry, { type: T }>;

/** `/cdpReplicas/{rid}/vms/{vid}?action=failover` → rid, when the journal has no replica name. */
function replicaFromPath(path: string): string | undefined {
  return /\/(?:cdpReplicas|cdpReplica\/vApps)\/([^/?]+)/.exec(path)?.[1];
}

export function requestIntent(report: RunReport, e: Entry<'request-intent'>): void {
  const { requests } = foldIndex(report);
  const kind = /\/failoverPlans\//.test(e.path) ? 'plan' : 'vm';
  const replica = e.replica ?? replicaFromPath(e.path);
  const t: RequestTrack = {
    stepId: e.stepId,
    target: e.target,
    kind,
    method: e.method,
    path: e.path,
    requestedAt: e.at,
    state: 'unknown',
    ...(e.targetId ? { targetId: e.targetId } : {}),
    ...(replica ? { replica } : {}),
  };
  const previous = requests.get(requestKey(e.stepId, e.target));
  requests.set(requestKey(e.stepId, e.target), t);
  if (kind === 'vm') {
    const s = stepOf(report, e.stepId);
    const vm = addVm(report, s, {
      name: e.target,
      replica: replica ?? '(not recorded)',
      restorePoint: e.restorePoint ?? '(not recorded)',
      state: 'unknown',
      ...(e.targetId ? { id: e.targetId } : {}),
    });
    // Sent, no answer yet: if the process dies now, nobody knows whether EM started it.
    vm.state = 'unknown';
    vm.requestedAt = e.at;
    for (const k of ['taskId', 'message', 'finishedAt', 'durationMs'] as const) delete vm[k];
    // A re-sent request (EM said it did not process the first) counts as a retry.
    if (previous) vm.retries = (vm.retries ?? 0) + 1;
  }
  sync(report, t);
}

export function requestAnswer(report: RunReport, e: Entry<'request-accepted' | 'request-failed' | 'task-lost' | 'task-result'>): void {
  const t = foldIndex(report).requests.get(requestKey(e.stepId, e.target));
  if (!t) return; // no intent line (damaged journal): nothing to attach it to
  switch (e.type) {
    case 'request-accepted':
      t.taskId = e.taskId;
      t.state = 'running';
      sync(report, t);
      return;
    case 'request-failed':
      settle(report, t, e.unknown ? 'unknown' : 'failed', e.unknown ? vmMessages.unknownSend(e.error) : e.error, e.at);
      return;
    case 'task-lost':
      t.taskId = e.taskId;
      settle(report, t, 'unknown', e.error, e.at);
      return;
    case 'task-result': {
      t.taskId = e.taskId;
      const session = e.restoreSession;
      const vm = t.kind === 'vm' ? findVm(report, stepOf(report, t.stepId), t.target) : undefined;
      if (vm && session) vm.restoreSession = { ...session };
      const message = e.success
        ? session?.result === 'Warning'
          ? vmMessages.sessionWarning
          : e.message
        : session?.result === 'Failed'
          ? vmMessages.sessionFailed(session.id)
          : vmMessages.emFailure(e.message);
      settle(report, t, e.success ? 'failed-over' : 'failed', message, e.at);
      return;
    }
  }
}

/** A VM's state said outright (the live run's words where the request lines do not tell them). */
export function vmLine(report: RunReport, e: Entry<'vm'>): void {
  const t = foldIndex(report).requests.get(requestKey(e.stepId, e.target));
  if (t) {
    settle(report, t, e.state, e.message, e.at);
    return;
  }
  const vm = findVm(report, stepOf(report, e.stepId), e.target);
  if (!vm) return;
  vm.state = e.state;
  if (e.message !== undefined) vm.message = e.message;
}

const FINAL = new Set(['failed-over', 'failed', 'stopped', 'unknown']);

export function settle(report: RunReport, t: RequestTrack, state: RequestTrack['state'], message: string | undefined, at: string): void {
  t.state = state;
  if (message !== undefined) t.message = message;
  sync(report, t, at);
}

/** Copies a request's state onto its VM (or its plan step). */
function sync(report: RunReport, t: RequestTrack, at?: string): void {
  const s = stepOf(report, t.stepId);
  if (t.kind === 'plan') {
    const action = /action=undo/.test(t.path) ? 'undo' : 'start';
    s.plan = {
      name: t.target,
      action,
      ...(t.targetId ? { id: t.targetId } : {}),
      ...(t.taskId ? { taskId: t.taskId } : {}),
      ...(t.message ? { message: t.message } : {}),
    };
    return;
  }
  const vm = findVm(report, s, t.target);
  if (!vm) return;
  vm.state = t.state;
  if (t.taskId) vm.taskId = t.taskId;
  if (t.message !== undefined) vm.message = t.message;
  if (at !== undefined && FINAL.has(t.state)) {
    finish(vm, at);
    if (t.state === 'failed-over') {
      const rto = msBetween(report.startedAt, at);
      if (rto !== undefined) report.achieved.rtoMs = rto;
    }
  }
}
