// One line of the append-only JSON Lines journal (`<state-dir>/runs/<run-id>.jsonl`).
// Each line is written at once (a kill -9 keeps it) and fsync'ed before the next mutating
// request is sent (group commit: one fsync per turn), so a crash, even a power cut, never
// loses track of a started failover. `runbook status` and
// `runbook rollback` rebuild what happened from these lines alone. No secrets, ever.

import type { ApiCall } from '../api/types.js';
import type { ParamValue } from '../playbook/types.js';
import type {
  ApprovalRecord,
  ExecRehearsal,
  ManualAction,
  RollbackAction,
  RunEvent,
  RunOutcome,
  RunReport,
  StepReport,
  VmState,
} from './report-types.js';

interface Base {
  /** ISO 8601 UTC, from the injected clock. */
  at: string;
}

export type JournalEntry = Base &
  (
    | {
        type: 'run-start';
        runId: string;
        pid: number;
        playbook: { name: string; file: string; sha256: string; commit?: string };
        params: Record<string, ParamValue>;
        /** `timeScale`: rehearsals only; the line times are then simulated time (see RunReport.server). */
        server: { url: string; media: 'xml' | 'json'; simulated: boolean; username?: string; timeScale?: number };
        host: { hostname: string; user: string };
        /** `--resume`: the run this one goes on from (what it did is done for this one too). */
        resumes?: string;
        /** RTO/RPO targets (absent in journals written before they were recorded). */
        targets?: RunReport['targets'];
      }
    /**
     * Every step of the plan as it starts (pending, VMs not started), right after run-start:
     * so status shows the steps and VMs a run never reached, as the report does.
     */
    | { type: 'steps'; steps: StepReport[] }
    | { type: 'step-start'; stepId: string; name: string; kind: string; parentId?: string }
    | { type: 'step-end'; stepId: string; outcome: 'succeeded' | 'failed' | 'skipped'; error?: string; skipReason?: string }
    /**
     * Written BEFORE a mutating request is sent: if the process dies now, status knows
     * the VM may have been requested (outcome unknown) rather than not started.
     */
    | {
        type: 'request-intent';
        stepId: string;
        target: string;
        targetId?: string;
        method: string;
        path: string;
        /** CDP replica (or vApp replica) name, so status can say where to look by hand. */
        replica?: string;
        /** Human restore point, as in VmReport.restorePoint. */
        restorePoint?: string;
        /** The plan's call body, as sent (absent for calls without one, and in older journals). */
        body?: ApiCall['body'];
      }
    /** The mutating request was accepted (202) and EM gave this task id. */
    | { type: 'request-accepted'; stepId: string; target: string; taskId: string }
    /** The mutating request failed; `unknown` true when EM may still have processed it. */
    | { type: 'request-failed'; stepId: string; target: string; unknown: boolean; error: string }
    /**
     * A task EM had accepted became unreachable before its result was read (404: its logon
     * session ended, or it was deleted by someone else): the VM's outcome is unknown.
     */
    | { type: 'task-lost'; stepId: string; target: string; taskId: string; error: string }
    | {
        type: 'task-result';
        stepId: string;
        target: string;
        taskId: string;
        success: boolean;
        message?: string;
        restoreSession?: { id: string; state: string; result?: string };
      }
    | ({ type: 'rollback' } & RollbackAction)
    | {
        type: 'exec';
        stepId: string;
        command: string[];
        exitCode: number | null;
        undo?: boolean;
        output?: string;
        rehearsed?: ExecRehearsal;
      }
    /** A check step's findings (with the RPO each VM showed). */
    | { type: 'checks'; stepId: string; checks: { ok: boolean; message: string; vm?: string; rpoSeconds?: number }[] }
    /** Something the operator must do by hand. */
    | ({ type: 'manual' } & ManualAction)
    /** A VM's state or message where the request lines alone do not tell it (e.g. a rollback's words). */
    | { type: 'vm'; stepId: string; target: string; state: VmState; message?: string }
    /** An operator's decision on an approval step (`at` is when the run read it). */
    | ({ type: 'approval'; stepId: string; decidedAt: string } & Omit<ApprovalRecord, 'at'>)
    /** A decision file the run would not accept (bad signature, another run, …): the gate waits on. */
    | { type: 'approval-refused'; stepId: string; file: string; why: string }
    | { type: 'event'; kind: RunEvent['type']; stepId?: string; message: string }
    | { type: 'run-end'; outcome: RunOutcome; exitCode: number }
  );
