// Decisions on `approval` steps. An operator decides from another terminal (or another
// machine sharing the state dir) with `runbook approve`, which drops one small JSON file per
// step into `<state-dir>/approvals/<run-id>/`; the waiting run reads it. `runbook run
// --approve STEP` decides ahead, on the command line. The first decision stands: the file is
// created exclusively (atomic.ts) and never replaced.

import { mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError, errorMessage } from '../errors.js';
import { signedGate, type GateRead } from './approval-gate.js';
import { fileOwner } from './file-owner.js';
import type { ApprovalRecord } from './report-types.js';
import { checkRunId } from './journal.js';
import { createFileAtomic } from './atomic.js';

export interface Decision {
  decision: 'approved' | 'rejected';
  /** Who decided (the OS user), never a secret. */
  by: string;
  /** ISO 8601. */
  at: string;
  via: 'runbook approve' | 'runbook approve --sign-with' | '--approve';
  reason?: string;
}

export interface ApprovalInbox {
  /** Reads the step's decision files: the decision once there is one, and files refused since the last read. */
  open(step: { id: string; signers?: readonly string[]; quorum: number }): { poll(): GateRead };
  /** The command that decides this step, for the operator. */
  howTo(stepId: string): string;
}

const STEP_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function checkStepId(stepId: string): string {
  if (!STEP_ID.test(stepId) || stepId.length > 64)
    throw new UsageError(`invalid step id "${stepId}": letters, digits, '-', '_' and '.', starting with a letter or digit`);
  return stepId;
}

export function decisionPath(stateDir: string, runId: string, stepId: string): string {
  return join(stateDir, 'approvals', checkRunId(runId), `${checkStepId(stepId)}.json`);
}

export interface InboxOptions {
  /** Decided on the command line (`--approve`), unsigned. */
  ahead: ReadonlyMap<string, ApprovalRecord>;
  stateDir?: string;
  runId: string;
  playbookSha256: string;
  /** The playbook's approvers block: decisions must be signed by a key this file allows. */
  allowedSigners?: string;
  sshKeygen?: string;
  /** The run's clock, ISO 8601. */
  now: () => string;
  /** Who owns a decision file (a seam for tests). */
  owner?: (file: string) => string;
}

/**
 * Decisions given ahead (`--approve`), then, where the run has a state dir, the files
 * `runbook approve` writes: signed ones checked against the allowed signers, unsigned ones
 * recorded with their file's owner. Without a state dir only the ones given ahead exist.
 */
export function createInbox(o: InboxOptions): ApprovalInbox {
  return {
    open(step) {
      const ahead = o.ahead.get(step.id);
      if (ahead) return { poll: () => ({ decision: ahead, refused: [] }) };
      if (o.stateDir === undefined) return { poll: () => ({ refused: [] }) };
      const dir = join(o.stateDir, 'approvals', checkRunId(o.runId));
      if (o.allowedSigners !== undefined) {
        return signedGate({
          dir,
          runId: o.runId,
          stepId: step.id,
          playbookSha256: o.playbookSha256,
          allowedSigners: o.allowedSigners,
          quorum: step.quorum,
          sshKeygen: o.sshKeygen ?? 'ssh-keygen',
          now: o.now,
          ...(step.signers ? { signers: step.signers } : {}),
        });
      }
      return unsignedGate(decisionPath(o.stateDir, o.runId, step.id), o.now, o.owner ?? ((f) => fileOwner(f)));
    },
    howTo: (stepId) =>
      o.stateDir !== undefined
        ? `runbook approve --run ${o.runId} --step ${stepId} --state-dir ${o.stateDir}` +
          `${o.allowedSigners !== undefined ? ' --sign-with ~/.ssh/id_ed25519' : ''}` +
          '   (add --reject --reason TEXT to refuse)'
        : `nothing can: this rehearsal has no --state-dir and --approve ${stepId} was not given`,
  };
}

/** No approvers block: the first decision file stands; its owner, not its claim, is who decided. */
function unsignedGate(file: string, now: () => string, owner: (file: string) => string): { poll(): GateRead } {
  let refusedVersion: string | undefined;
  return {
    poll() {
      const d = readDecision(file);
      if (!d) {
        const text = readText(file);
        if (text === undefined || text === refusedVersion) return { refused: [] };
        refusedVersion = text;
        return {
          refused: [
            {
              file: basename(file),
              why: 'not a decision file (garbage or truncated JSON): remove it and decide again with runbook approve',
            },
          ],
        };
      }
      let by: string;
      try {
        by = owner(file);
      } catch (error) {
        by = `unknown owner (${errorMessage(error)})`;
      }
      const readAt = now();
      const decision: ApprovalRecord = {
        decision: d.decision,
        by,
        at: readAt,
        via: d.via,
        ...(d.reason !== undefined ? { reason: d.reason } : {}),
        signed: false,
        readAt,
        ...(d.by !== by ? { claimedBy: d.by } : {}),
      };
      return { decision, refused: [] };
    },
  };
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined; // no decision yet
  }
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
      via: d.via === '--approve' || d.via === 'runbook approve --sign-with' ? d.via : 'runbook approve',
      ...(typeof d.reason === 'string' && d.reason !== '' ? { reason: d.reason } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Writes the decision unless one exists (then returns that one): the first decision stands. */
export function writeDecision(
  stateDir: string,
  runId: string,
  stepId: string,
  decision: Decision,
): { written: true } | { written: false; existing: Decision | undefined } {
  const file = decisionPath(stateDir, runId, stepId);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 }); // owner-only, as `run` requires of the state dir
  return createFileAtomic(file, `${JSON.stringify(decision)}\n`) ? { written: true } : { written: false, existing: readDecision(file) };
}
