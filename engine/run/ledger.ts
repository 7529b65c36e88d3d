// What the run has started, in start order: the saga log rollback unwinds. Tasks still
// running are stopped, completed plan starts undone, exec undos run, completed CDP
// failovers listed for the operator.

export type TaskOp = 'cdp-failover' | 'vapp-failover' | 'plan-start' | 'plan-undo';

/** A VM or vApp failover: its target has a VM line in the report and progress. */
export function isFailover(op: TaskOp): boolean {
  return op === 'cdp-failover' || op === 'vapp-failover';
}

export interface TaskEntry {
  kind: 'task';
  op: TaskOp;
  stepId: string;
  /** VM, vApp or plan name. */
  target: string;
  targetId: string;
  taskId: string;
  /** `unknown`: unreachable (its logon session ended, or it vanished unasked): outcome unknown. */
  status: 'running' | 'succeeded' | 'failed' | 'stopped' | 'unknown';
  /** The client's session epoch when EM accepted it (tasks belong to their session, §5). */
  sessionEpoch?: number;
  /** Why the run stopped following it (polls failed for good): it may still be running. */
  lostTrack?: string;
  /** When the request was sent (run clock): a lost task's restore session is looked for from then on. */
  postedAt?: number;
}

/** A failover POST whose outcome is unknown: never re-sent, never assumed. */
export interface UnknownEntry {
  kind: 'unknown';
  op: TaskOp;
  stepId: string;
  target: string;
  targetId: string;
  error: string;
}

export interface ExecEntry {
  kind: 'exec';
  stepId: string;
  command: string[];
  undo?: string[];
  /** A rehearsal that did not run the real command: rollback records the undo, does not run it. */
  undoRehearsed?: boolean;
  shell: boolean;
  env: Record<string, string>;
  cwd: string;
  timeoutMs: number;
  succeeded: boolean;
}

export type LedgerEntry = TaskEntry | UnknownEntry | ExecEntry;

export class Ledger {
  readonly entries: LedgerEntry[] = [];

  add<E extends LedgerEntry>(entry: E): E {
    this.entries.push(entry);
    return entry;
  }

  running(filter?: (e: TaskEntry) => boolean): TaskEntry[] {
    return this.entries.filter((e): e is TaskEntry => e.kind === 'task' && e.status === 'running' && (!filter || filter(e)));
  }
}
