// Everything the routes share: the model, sessions, tasks, restore sessions, the clock
// and the seeded generator. One World per simulator.

import type { Clock } from '../clock.js';
import type { Ctx } from './context.js';
import { respond } from './context.js';
import { randomUuid } from './ids.js';
import type { BehaviourN, Model, ServerM } from './model.js';
import { taskEl, type RestoreSessionM } from './reps-core.js';
import type { Sessions } from './sessions.js';
import type { Operation, Tasks } from './tasks.js';
import type { Role } from './types.js';
import type { Reply } from './reply.js';

export interface World {
  model: Model;
  sessions: Sessions;
  tasks: Tasks;
  restoreSessions: Map<string, RestoreSessionM>;
  clock: Clock;
  random: () => number;
  /** Completed failover operations per subject (`vm:<name>`, `vapp:<name>`, `plan:<name>`, …). */
  failovers: Record<string, number>;
}

export type Handler = (ctx: Ctx, params: string[]) => Reply | Promise<Reply>;

export interface Route {
  pattern: RegExp;
  /** false only for GET /api/ and POST /sessionMngr/. */
  auth: boolean;
  /** Roles allowed (§6.5); absent: every role. */
  roles?: Role[];
  methods: Partial<Record<string, Handler>>;
}

export const ADMIN_ONLY: Role[] = ['Portal Administrator'];
export const PLAN_ROLES: Role[] = ['Portal Administrator', 'Restore Operator'];

export interface OperationSpec {
  operation: Operation;
  subject: string;
  /** VM or vApp name for the RestoreSession (only when `restoreSession`). */
  displayName: string;
  server: ServerM;
  behaviour: BehaviourN;
  /** VM-level failovers link a RestoreSession once finished (§5.1); plan tasks do not. */
  restoreSession: boolean;
  /** Runs when the operation ends: a failure message, or undefined after applying the change. */
  apply: () => string | undefined;
}

/** Creates the task for an asynchronous action and answers 202 with it (Running). */
export function startOperation(w: World, ctx: Ctx, op: OperationSpec): Reply {
  const session = ctx.session;
  if (!session) throw new Error('startOperation needs an authenticated request');
  let fail = op.behaviour.fail;
  let neverFinish = op.behaviour.neverFinish;
  let operationFinishedMs = op.behaviour.operationFinishedMs;
  for (const f of ctx.taskFaults) {
    if (f.kind === 'task-fail') fail = f.spec.message ?? 'The operation failed (injected fault).';
    if (f.kind === 'task-never-finish') neverFinish = true;
    if (f.kind === 'task-operation-finished') operationFinishedMs = f.delayMs;
  }
  const startedAt = ctx.now;
  const doneAt = neverFinish ? Number.POSITIVE_INFINITY : startedAt + op.behaviour.durationMs;
  // The restore session exists from the start (Working), as on the backup server (§6.4):
  // a client that lost its task can still find it by VM name and creation time.
  const rs = op.restoreSession
    ? {
        id: randomUuid(w.random),
        name: `${op.displayName}@${new Date(startedAt).toISOString().slice(0, 19).replace('T', ' ')}`,
        vmName: op.displayName,
        server: op.server,
        createdAt: startedAt,
        endAt: Number.POSITIVE_INFINITY,
      }
    : undefined;
  if (rs) w.restoreSessions.set(rs.id, rs);
  const restore = (at: number, result: 'Success' | 'Failed'): string | undefined => {
    if (!rs) return undefined;
    w.restoreSessions.set(rs.id, { ...rs, endAt: at, result });
    return rs.id;
  };
  const task = w.tasks.create({
    sessionId: session.id,
    sessionLabel: session.label,
    operation: op.operation,
    subject: op.subject,
    startedAt,
    doneAt,
    finishedAt: doneAt + operationFinishedMs,
    effect: (at) => {
      if (fail !== undefined) {
        const rs = restore(at, 'Failed');
        return { success: false, message: fail, ...(rs ? { restoreSessionId: rs } : {}) };
      }
      const problem = op.apply();
      if (problem !== undefined) {
        restore(at, 'Failed');
        return { success: false, message: problem };
      }
      w.failovers[op.subject] = (w.failovers[op.subject] ?? 0) + 1;
      const rs = restore(at, 'Success');
      return { success: true, message: 'Ok', ...(rs ? { restoreSessionId: rs } : {}) };
    },
  });
  // A stop (DELETE while Running) ends the session Failed: the failover never happened.
  if (rs) task.onStop = (at) => void restore(at, 'Failed');
  ctx.taskId = task.id;
  return respond(ctx, 202, taskEl(ctx.api, task, ctx.now));
}
