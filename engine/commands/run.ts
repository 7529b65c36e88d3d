// `runbook run`: argv → RunOptions; `startRun` does the run. Exit 0 success, 1 failed
// (rolled back or not), 2 bad input, 3 preflight (or a saved plan that no longer holds),
// 4 connection, 5 locked (or the last run left requests unresolved), 129/130/143
// interrupted (SIGHUP/SIGINT/SIGTERM).

import { ExitCode, UsageError } from '../errors.js';
import type { Command } from '../io.js';
import { defineCommand, parseOptions, renderHelp } from './options.js';
import { CONNECT_OPTIONS, REHEARSALS } from './prepare.js';
import { refuseResumedRehearsal } from './run-resume.js';
import { startRun } from './start-run.js';

export const RUN = defineCommand({
  name: 'run',
  usage: '<playbook> [options]\n       runbook run --plan FILE [options]',
  about: `Execute a playbook: steps in order, failovers fanned out, live progress, rollback by task
deletion when a step fails under onFailure: rollback or the run is interrupted.

Ctrl-C (SIGINT), SIGTERM or SIGHUP (a dropped SSH session) stops launching work: steps
not yet started are skipped, steps with always: true included ("the run was interrupted"),
then the rollback runs and the run exits 130 (SIGINT), 143 (SIGTERM) or 129 (SIGHUP).
Run a real failover under tmux/screen, setsid or systemd-run so a lost connection
cannot stop it. always: true runs a step after a FAILED step,
not after an interrupt; put must-run clean-up in an exec step's undo.`,
  options: {
    ...CONNECT_OPTIONS,
    plan: {
      type: 'string',
      arg: 'FILE',
      description:
        "execute exactly the plan saved by 'runbook plan --out FILE' (the playbook argument defaults to the plan's); " +
        "refused (exit 3, nothing sent) when the playbook, the params or any name's id changed since",
    },
    yes: { type: 'boolean', short: 'y', description: 'confirm without a prompt (required without a terminal)' },
    resume: {
      type: 'string',
      arg: 'RUN_ID',
      description:
        'go on from that run (the last one of this playbook): ' +
        'what it did is not done again (VMs it failed over, plans it started, commands it ran); ' +
        'check and approval steps run again; same params required',
    },
    approve: {
      type: 'string',
      arg: 'STEP',
      multiple: true,
      description:
        'approve that approval step ahead (unsigned, so not for a playbook with approvers); ' +
        "the others wait for 'runbook approve --run ID --step STEP' from another terminal",
    },
    'ignore-unresolved': {
      type: 'boolean',
      description:
        'start even though the last run of this playbook left requests whose outcome is unknown ' +
        '(check each in EM first; without it such a run is refused with exit 5)',
    },
    concurrency: {
      type: 'string',
      arg: 'N',
      description:
        'at most N failovers in flight across the whole run, shared by the steps of a parallel group ' +
        "(each step's own concurrency still applies, and is capped by N too)",
    },
    quiet: { type: 'boolean', short: 'q', description: 'errors only (final summary on failure)' },
    'state-dir': {
      type: 'string',
      arg: 'DIR',
      description:
        'lock, journal and report folder (default .runbook beside the playbook); rehearsals (--simulate) keep them only with this flag',
    },
    report: { type: 'string', arg: 'FILE', description: 'write the JSON run report' },
    junit: { type: 'string', arg: 'FILE', description: 'write a JUnit XML report' },
    'github-summary': {
      type: 'string',
      arg: 'FILE',
      description: 'append a Markdown summary to FILE (default: $GITHUB_STEP_SUMMARY when set, as on GitHub Actions)',
    },
    'log-file': { type: 'string', arg: 'FILE', description: 'JSON Lines log of the run' },
    html: { type: 'string', arg: 'FILE', description: "write the HTML run report (as 'runbook report' does)" },
  },
  notes: REHEARSALS,
});

export const runCommand: Command = async (argv, io) => {
  const { values, positionals } = parseOptions(RUN, argv);
  if (values.help) {
    io.stdout.write(renderHelp(RUN));
    return ExitCode.ok;
  }
  const simulate = values.simulate === true;
  if (!simulate && !values.yes && !io.prompt) {
    throw new UsageError(
      'runbook run against a real Enterprise Manager needs confirmation, ' +
        'and there is no terminal to ask on: pass --yes (or rehearse with --simulate)',
    );
  }
  refuseResumedRehearsal(values.resume, simulate);
  if (positionals.length > 1 || (positionals.length === 0 && values.plan === undefined)) {
    throw new UsageError("runbook run: expected exactly one playbook file (see 'runbook run --help')");
  }
  return startRun(
    {
      ...(positionals[0] !== undefined ? { playbook: positionals[0] } : {}),
      ...(values.plan !== undefined ? { planFile: values.plan } : {}),
      connect: values,
      simulate,
      yes: values.yes === true,
      ignoreUnresolved: values['ignore-unresolved'] === true,
      ...(values.resume !== undefined ? { resume: values.resume } : {}),
      approve: values.approve ?? [],
      ...(values.concurrency !== undefined ? { maxConcurrency: concurrency(values.concurrency) } : {}),
      quiet: values.quiet === true,
      ...(values['state-dir'] !== undefined ? { stateDir: values['state-dir'] } : {}),
      ...(values['log-file'] !== undefined ? { logFile: values['log-file'] } : {}),
      outputs: values,
    },
    io,
  );
};

function concurrency(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--concurrency must be a whole number ≥ 1, got "${text}"`);
  return n;
}
