// `runbook approve --run ID --step STEP [--reject]`: the operator's decision on an approval
// step of a running run, from another terminal. It writes the decision beside the run's
// journal (state/approvals.ts); the run reads it within a second. Offline: no EM involved.

import { systemClock } from '../clock.js';
import { UsageError } from '../errors.js';
import { loadPlaybook } from '../playbook/validate.js';
import type { Step } from '../playbook/types.js';
import { checkStepId, writeDecision, type Decision } from '../state/approvals.js';
import { checkRunId } from '../state/journal.js';
import { osUser } from '../state/os-user.js';
import { resolveStateDir } from '../state/state-dir.js';
import { runbookCommand, stateDirArgs } from '../state/hint.js';
import { loadRecentRuns, loadRunStatus, type RunStatus } from '../state/run-status.js';
import { defineCommand, parseOptions, renderHelp } from './options.js';
import { checkSigning, signDecision, writeSignedDecision } from './approve-signed.js';
import { sshKeygenBin } from '../state/ssh-keygen.js';
import { resolve } from 'node:path';
import { approvalStepIds } from './run-approvals.js';
import type { Command } from '../io.js';

export const APPROVE = defineCommand({
  name: 'approve',
  usage: '[--run ID] --step STEP [--reject] [--reason TEXT] [--sign-with KEY] [--state-dir DIR] [--playbook FILE]',
  about: `Decide an approval step of a running run ('runbook status' lists runs; the run prints the
command while it waits). Approved, the run goes on; rejected (--reject), the step fails
and its onFailure applies (rollback, abort or continue). A step not reached yet can be
decided ahead. The first decision stands.`,
  options: {
    run: { type: 'string', arg: 'ID', description: 'the run (default: the one run in the state dir waiting at STEP now)' },
    step: { type: 'string', arg: 'STEP', description: "the approval step's id (required)" },
    reject: { type: 'boolean', description: 'reject instead of approve' },
    reason: { type: 'string', arg: 'TEXT', description: 'why (recorded in the journal and the report)' },
    'sign-with': {
      type: 'string',
      arg: 'KEY',
      description:
        'sign the decision with this SSH key (ssh-keygen -Y sign): a private key file, ' +
        'or the .pub file of a key held by ssh-agent. Required when the playbook has an approvers ' +
        'block; the run checks the signature against its allowed-signers file',
    },
    'state-dir': {
      type: 'string',
      arg: 'DIR',
      description: 'where runs are recorded (default: .runbook/ beside --playbook, else ./.runbook)',
    },
    playbook: { type: 'string', arg: 'FILE', description: "the run's playbook (for the default state dir)" },
  },
  notes: `Exit codes: 0 decided (signed: written; the run checks the signature and journals a
refusal with why), 2 refused (no such run or step, the run has ended or is not running,
the step has ended, a decision was already given, signed or not does not match the
playbook's approvers, the key cannot sign).`,
});

export const approveCommand: Command = async (argv, io) => {
  const { values } = parseOptions(APPROVE, argv);
  if (values.help) {
    io.stdout.write(renderHelp(APPROVE));
    return 0;
  }
  if (values.step === undefined)
    throw new UsageError('runbook approve: --step STEP is required (the waiting run prints the whole command)');
  const stepId = checkStepId(values.step);
  const stateDir = resolveStateDir({ stateDir: values['state-dir'], playbook: values.playbook, cwd: io.cwd });
  const runId = values.run !== undefined ? checkRunId(values.run) : waitingRun(stateDir, stepId);
  const status = loadRunStatus(stateDir, runId);
  if (status.hasRunEnd) throw new UsageError(`run ${runId} has ended (${status.display}): nothing waits for an approval`);
  if (status.liveness === 'crashed') {
    throw new UsageError(
      `run ${runId} is not running (its process is gone): nothing would read the decision. ` +
        `What it left: ${runbookCommand('status', '--run', runId, ...stateDirArgs(stateDir, io.cwd))}`,
    );
  }
  await checkStep(status, stepId);

  const reason = values.reason !== undefined && values.reason.trim() !== '' ? values.reason.trim() : undefined;
  const decision: Decision = {
    decision: values.reject ? 'rejected' : 'approved',
    by: osUser(),
    at: new Date(systemClock.now()).toISOString(),
    via: 'runbook approve',
    ...(reason !== undefined ? { reason } : {}),
  };
  await checkSigning(status, values['sign-with'] !== undefined);
  if (values['sign-with'] !== undefined) {
    const signed = signDecision(decision, {
      key: resolve(io.cwd, values['sign-with']),
      runId,
      stepId,
      playbookSha256: status.report.playbook.sha256,
      sshKeygen: sshKeygenBin(io.env),
    });
    writeSignedDecision(stateDir, runId, stepId, signed);
  } else {
    const result = writeDecision(stateDir, runId, stepId, decision);
    if (!result.written) {
      const e = result.existing;
      throw new UsageError(
        `step "${stepId}" of run ${runId} was already ${e ? `${e.decision} by ${e.by} at ${e.at}` : 'decided'}: the first decision stands`,
      );
    }
  }
  io.stdout.write(
    decision.decision === 'approved'
      ? `approved step "${stepId}" of run ${runId}: the run goes on within a second once it reaches the step.\n`
      : `rejected step "${stepId}" of run ${runId}: the step fails and its onFailure applies.\n`,
  );
  return 0;
};

/** Without --run: the one live run waiting at this step now (newest 20 runs looked at). */
function waitingRun(stateDir: string, stepId: string): string {
  const waiting = loadRecentRuns(stateDir, 20)
    .filter((r) => !r.hasRunEnd && r.liveness !== 'crashed')
    .filter((r) => r.report.steps.some((s) => s.id === stepId && s.kind === 'approval' && s.outcome === 'running'));
  if (waiting.length === 1) return waiting[0]!.runId;
  if (waiting.length === 0) {
    throw new UsageError(
      `no run in ${stateDir} waits at step "${stepId}" now: ` +
        `give --run ID to decide ahead ('runbook status --state-dir ${stateDir}' lists the runs)`,
    );
  }
  throw new UsageError(`${waiting.length} runs wait at step "${stepId}" (${waiting.map((r) => r.runId).join(', ')}): give --run ID`);
}

/** The step must be an approval step of the run that has not ended. */
async function checkStep(status: RunStatus, stepId: string): Promise<void> {
  const seen = status.report.steps.find((s) => s.id === stepId);
  if (seen) {
    if (seen.kind !== 'approval') {
      const approvals = status.report.steps.filter((s) => s.kind === 'approval').map((s) => s.id);
      const which = approvals.length > 0 ? `approval steps: ${approvals.join(', ')}` : 'the run has none';
      throw new UsageError(`run ${status.runId} has no approval step "${stepId}" (it is a ${seen.kind} step; ${which})`);
    }
    if (seen.outcome !== 'running' && seen.outcome !== 'pending')
      throw new UsageError(`step "${stepId}" has already ended (${seen.outcome})`);
    return;
  }
  // Not reached yet: the run's playbook says what it is.
  const file = status.report.playbook.file;
  let steps: Step[];
  try {
    steps = (await loadPlaybook(file)).steps;
  } catch {
    throw new UsageError(
      `step "${stepId}" has not started in run ${status.runId}, ` +
        `and its playbook (${file}) cannot be read to check it is an approval step: ` +
        `decide once the run waits for it`,
    );
  }
  const approvals = approvalStepIds(steps);
  if (!approvals.includes(stepId)) {
    throw new UsageError(
      `run ${status.runId} has no approval step "${stepId}" ` +
        `(${approvals.length > 0 ? `approval steps: ${approvals.join(', ')}` : 'its playbook has none'})`,
    );
  }
}
