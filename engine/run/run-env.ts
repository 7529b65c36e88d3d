// What an `exec` step (or its undo) learns about the run it belongs to, as RUNBOOK_*
// environment variables: a notification or a ticket update needs the run id and whether the
// run has failed so far, and an `always: true` step has no other way to tell.
// They are set over the inherited environment and under the step's own `env` (a value the
// playbook writes wins). Never a secret: ids, names and outcomes only.

import type { StepOutcome } from '../playbook/types.js';

export interface RunFacts {
  runId: string;
  playbook: string;
  simulated: boolean;
  /** Where the run is journaled (absent: a rehearsal without --state-dir). */
  stateDir?: string;
}

/** Where the run stands when the command starts. */
export interface RunMoment {
  outcomes: ReadonlyMap<string, StepOutcome>;
  interrupted: boolean;
  /** The command is an undo, run by rollback. */
  rollback: boolean;
}

export function runEnv(facts: RunFacts, stepId: string, moment: RunMoment): Record<string, string> {
  const failed = [...moment.outcomes].filter(([, outcome]) => outcome === 'failed').map(([id]) => id);
  return {
    RUNBOOK_RUN_ID: facts.runId,
    RUNBOOK_PLAYBOOK: facts.playbook,
    RUNBOOK_STEP_ID: stepId,
    RUNBOOK_OUTCOME: moment.interrupted ? 'interrupted' : failed.length > 0 ? 'failed' : 'succeeded',
    RUNBOOK_FAILED_STEPS: failed.join(','),
    RUNBOOK_SIMULATED: String(facts.simulated),
    RUNBOOK_STATE_DIR: facts.stateDir ?? '',
    RUNBOOK_ROLLBACK: String(moment.rollback),
  };
}
