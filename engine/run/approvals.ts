// Decisions on `approval` steps. An operator decides from another terminal (or another
// machine sharing the state dir) with `runbook approve`, which drops one small JSON file per
// step into `<state-dir>/approvals/<run-id>/`; the waiting run reads it. `runbook run
// --approve STEP` decides ahead, on the command line. The first decision stands: the file is
// created exclusively (writers/atomic.ts) and never replaced.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { checkRunId } from './journal.js';
import { createFileAtomic } from './writers/atomic.js';

export interface Decision {
  decision: 'approved' | 'rejected';
  /** Who decided (the OS user), never a secret. */
  by: string;
  /** ISO 8601. */
  at: string;
  via: 'runbook approve' | '--approve';
  reason?: string;
}

export interface ApprovalInbox {
  /** The decision on this step, once there is one. */
  read(stepId: string): Decision | undefined;
  /** The command that decides this step, for the operator. */
  howTo(stepId: string): string;
}

const STEP_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function checkStepId(stepId: string): string {
  if (!STEP_ID.test(stepId) || stepId.length > 64) throw new UsageError(`invalid step id "${stepId}": letters, digits, '-', '_' and '.', starting with a letter or digit`);
  return stepId;
}

export function decisionPath(stateDir: string, runId: string, stepId: string): string {
  return join(stateDir, 'approvals', checkRunId(runId), `${checkStepId(stepId)}.json`);
}

/**
 * Decisions given ahead (`--approve`), then, where the run has a state dir, the files
 * `runbook approve` writes. Without a state dir only the ones given ahead exist.
 */
export function createInbox(o: { ahead: ReadonlyMap<string, Decision>; stateDir?: string; runId: string }): ApprovalInbox {
  return {
    read: (stepId) => o.ahead.get(stepId) ?? (o.stateDir !== undefined ? readDecision(decisionPath(o.stateDir, o.runId, stepId)) : undefined),
    howTo: (stepId) =>
      o.stateDir !== undefined
        ? `runbook approve --run ${o.runId} --step ${stepId} --state-dir ${o.stateDir}   (add --reject --reason TEXT to refuse)`
        : `nothing can: this rehearsal has no --state-dir and --approve ${stepId} was not given`,
  };
}

/** The decision in this file; undefined while there is none (or it cannot be read yet). */
export function readDecision(file: string): Decision | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const d = JSON.parse(text) as Partial<Decision>;
    if ((d.decision !== 'approved' && d.decision !== 'rejected') || typeof d.by !== 'string' || typeof d.at !== 'string') return undefined;
    return {
      decision: d.decision,
      by: d.by,
      at: d.at,
      via: d.via === '--approve' ? '--approve' : 'runbook approve',
      ...(typeof d.reason === 'string' && d.reason !== '' ? { reason: d.reason } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Writes the decision unless one exists (then returns that one): the first decision stands. */
export function writeDecision(stateDir: string, runId: string, stepId: string, decision: Decision): { written: true } | { written: false; existing: Decision | undefined } {
  const file = decisionPath(stateDir, runId, stepId);
  return createFileAtomic(file, `${JSON.stringify(decision)}\n`) ? { written: true } : { written: false, existing: readDecision(file) };
}
