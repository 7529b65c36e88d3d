// What the executor tells its observers (the listr2 progress view, tests). The executor
// never depends on listr2: progress subscribes to these through the RunRecorder.

import type { StepOutcome } from '../playbook/types.js';
import type { ManualAction, RollbackAction, RunOutcome } from './report-types.js';

/** A VM's live state in a failover step (finer than the report's VmState). */
export type LiveVmState = 'queued' | 'requested' | 'running' | 'finishing' | 'done' | 'failed' | 'unknown' | 'stopped' | 'not-started';

export type RunEventKind = 'retry' | 'session-renewal' | 'interrupt' | 'warning' | 'rollback-start';

/** A rollback action announced before it runs; its result comes as a `rollback` event with the same action, step and target. */
export interface PlannedRollback {
  action: 'delete-task' | 'undo-plan' | 'exec-undo';
  stepId: string;
  target: string;
  taskId?: string;
}

export type ExecutorEvent =
  | { type: 'step-start'; stepId: string }
  | { type: 'step-end'; stepId: string; outcome: StepOutcome; error?: string; skipReason?: string }
  | { type: 'vm'; stepId: string; vm: string; state: LiveVmState; message?: string; taskId?: string }
  | { type: 'output'; stepId: string; text: string }
  | { type: 'event'; kind: RunEventKind; message: string; stepId?: string }
  | { type: 'rollback-start'; reason: string; planned: PlannedRollback[] }
  | { type: 'rollback'; action: RollbackAction }
  | { type: 'rollback-end' }
  | { type: 'manual'; action: ManualAction }
  | { type: 'run-end'; outcome: RunOutcome };

export type ExecutorListener = (event: ExecutorEvent) => void;
