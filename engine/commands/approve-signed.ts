// `runbook approve --sign-with KEY`: the decision signed with the approver's SSH key over
// this run, step and playbook revision (state/approval-payload.ts), one file per signature so
// a quorum can gather. Signed or not must match the run's playbook, checked up front.

import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError, errorMessage } from '../errors.js';
import { loadPlaybook } from '../playbook/validate.js';
import { payloadText } from '../state/approval-payload.js';
import { decisionPath, type Decision } from '../state/approvals.js';
import { sshKeygenProblem, sshSign } from '../state/ssh-keygen.js';
import type { RunStatus } from '../state/run-status.js';
import { createFileAtomic } from '../state/atomic.js';

export interface SignedDecision extends Decision {
  signed: { payload: string; signature: string };
}

export function signDecision(
  d: Decision,
  o: { key: string; runId: string; stepId: string; playbookSha256: string; sshKeygen: string },
): SignedDecision {
  const problem = sshKeygenProblem(o.sshKeygen);
  if (problem) throw new UsageError(`--sign-with: ${problem}`);
  const payload = payloadText({
    runId: o.runId,
    stepId: o.stepId,
    playbookSha256: o.playbookSha256,
    decision: d.decision,
    ...(d.reason !== undefined ? { reason: d.reason } : {}),
    signedAt: d.at,
  });
  let signature: string;
  try {
    signature = sshSign(o.sshKeygen, o.key, payload);
  } catch (error) {
    throw new UsageError(`--sign-with ${o.key}: ${errorMessage(error)}`);
  }
  return { ...d, via: 'runbook approve --sign-with', signed: { payload, signature } };
}

/** `<step>+<signature digest>.json` beside the unsigned `<step>.json`; never replaces a file. */
export function writeSignedDecision(stateDir: string, runId: string, stepId: string, d: SignedDecision): string {
  const digest = createHash('sha256').update(d.signed.signature).digest('hex').slice(0, 16);
  const file = decisionPath(stateDir, runId, stepId).replace(/\.json$/, `+${digest}.json`);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  if (!createFileAtomic(file, `${JSON.stringify(d)}\n`))
    throw new UsageError(`${file} exists already: this very signature was given before`);
  return file;
}

/**
 * The decision must be signed exactly when the run's playbook names approvers: say so now,
 * rather than leave a decision the run will never accept (or never read).
 */
export async function checkSigning(status: RunStatus, signing: boolean): Promise<void> {
  let approvers: string | undefined;
  try {
    approvers = (await loadPlaybook(status.report.playbook.file)).approvers?.allowedSigners;
  } catch {
    return; // the run checks what arrives; an unreadable playbook is not a reason to refuse here
  }
  if (approvers !== undefined && !signing) {
    throw new UsageError(
      `run ${status.runId}'s playbook names its approvers (${approvers}): ` +
        `sign the decision with --sign-with KEY (your SSH key, or its .pub with ssh-agent)`,
    );
  }
  if (approvers === undefined && signing) {
    throw new UsageError(
      `run ${status.runId}'s playbook has no approvers block, ` +
        `so the run takes unsigned decisions only and would not read a signed one: ` +
        `drop --sign-with (the decision file's owner is recorded)`,
    );
  }
}
