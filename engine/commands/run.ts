// `runbook run`: resolve (preflight), confirm, execute with listr2 progress and rollback,
// print the final summary, write the reports. Exit 0 success, 1 failed (rolled back or
// not), 2 bad input, 3 preflight, 4 connection, 5 locked (or the last run left requests
// unresolved), 129/130/143 interrupted (SIGHUP/SIGINT/SIGTERM).

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, relative } from 'node:path';
import { systemClock } from '../clock.js';
import { ExitCode, PreflightError, UsageError, errorMessage } from '../errors.js';
import { countMutatingCalls } from '../plan/render.js';
import { createInbox } from '../run/approvals.js';
import { executePlan, type ExecuteResult } from '../run/execute.js';
import { journalPath as journalFile, newRunId, openJournal, type Journal } from '../run/journal.js';
import { acquireLock, type Lock } from '../run/lock.js';
import { startProgress, type ProgressRenderer } from '../run/progress.js';
import { osUser } from '../run/os-user.js';
import { RunRecorder } from '../run/recorder.js';
import { SecretFilter } from '../run/secret-filter.js';
import { resolveStateDir } from '../run/state-dir.js';
import { refuseUnsafeStateDir } from '../run/state-dir-safety.js';
import { sshKeygenBin, sshKeygenProblem } from '../run/ssh-keygen.js';
import { earlierRuns, unresolvedError } from '../run/status/earlier-run.js';
import { describeEarlierFailover, failedOverBefore } from '../run/status/failed-over-before.js';
import { approvalStepIds, approvalsAhead } from './run-approvals.js';
import { describeResume, refuseResumedRehearsal, resumedPlan } from './run-resume.js';
import type { RunStatus } from '../run/status/run-status.js';
import { renderSummary } from '../run/summary.js';
import { attachLogFile, writeOutputs, writeStateReport, OUTPUT_OPTIONS } from '../run/outputs.js';
import { parseCommandArgs } from './args.js';
import type { Command } from './io.js';
import { PLAN_OPTIONS, prepare } from './plan.js';
import type { ClientEvent } from '../api/types.js';
import { describeWait } from '../api/wait-notice.js';
import type { Playbook } from '../playbook/types.js';

const HELP = `Usage: runbook run <playbook> [options]

Execute a playbook: steps in order, failovers fanned out, live progress, rollback by task
deletion when a step fails under onFailure: rollback or the run is interrupted.

Ctrl-C (SIGINT), SIGTERM or SIGHUP (a dropped SSH session) stops launching work: steps
not yet started are skipped, steps with always: true included ("the run was interrupted"),
then the rollback runs and the run exits 130 (SIGINT), 143 (SIGTERM) or 129 (SIGHUP).
Run a real failover under tmux/screen, setsid or systemd-run so a lost connection
cannot stop it. always: true runs a step after a FAILED step,
not after an interrupt; put must-run clean-up in an exec step's undo.

Options:
  --server URL        Enterprise Manager URL (overrides VEEAM_EM_URL, which overrides
                      server.url; VEEAM_EM_USERNAME/PASSWORD override the playbook too)
  --simulate          rehearse against the embedded simulator (no confirmation needed;
                      inventory derived from the playbook: see Rehearsals below)
  --inventory FILE    simulator inventory instead of the one derived from the playbook
  --time-scale X      simulate: the simulated world runs X times faster (default 60)
  --yes               confirm without a prompt (required without a terminal)
  --resume RUN_ID     go on from that run (the last one of this playbook): what it did
                      is not done again (VMs it failed over, plans it started, commands
                      it ran); check and approval steps run again; same params required
  --approve STEP      approve that approval step ahead (repeatable; unsigned, so not
                      for a playbook with approvers); the others wait for 'runbook
                      approve --run ID --step STEP' from another terminal
  --ignore-unresolved start even though the last run of this playbook left requests
                      whose outcome is unknown (check each in EM first; without it
                      such a run is refused with exit 5)
  --concurrency N     at most N failovers in flight across the whole run, shared by
                      the steps of a parallel group (each step's own concurrency
                      still applies, and is capped by N too)
  --param name=value  playbook param (repeatable)
  --media xml|json    EM media type (default: server.media, xml)
  --quiet             errors only (final summary on failure)
  --state-dir DIR     lock, journal and report folder (default .runbook beside the
                      playbook); rehearsals (--simulate) keep them only with this flag
  --report FILE       write the JSON run report
  --junit FILE        write a JUnit XML report
  --github-summary F  append a Markdown summary to F (default: $GITHUB_STEP_SUMMARY
                      when set, as on GitHub Actions)
  --log-file FILE     JSON Lines log of the run
  --html FILE         write the HTML run report (as 'runbook report' does)
  -h, --help          this help

Rehearsals (--simulate): the embedded simulator's inventory is derived from the playbook,
so it holds every name the playbook uses and a misspelt VM or replica name is NOT caught
there. To rehearse against the names a real EM has: 'runbook plan' against the real EM
(it sends nothing mutating), or an inventory of those names (--simulate --inventory FILE,
or 'runbook sim --inventory FILE'). A rehearsal logs on with VEEAM_EM_USERNAME/PASSWORD
when set, runs no exec step unless it has rehearse: run (or a rehearse: [stand-in]), and
its reports say REHEARSAL (simulated EM).
`;

export const runCommand: Command = async (argv, io) => {
  const { values, positionals } = parseCommandArgs('run', argv, {
    ...PLAN_OPTIONS,
    yes: { type: 'boolean', short: 'y' },
    'ignore-unresolved': { type: 'boolean' },
    resume: { type: 'string' },
    approve: { type: 'string', multiple: true },
    concurrency: { type: 'string' },
    quiet: { type: 'boolean', short: 'q' },
    ...OUTPUT_OPTIONS,
  });
  if (values.help) {
    io.stdout.write(HELP);
    return ExitCode.ok;
  }
  const simulate = values.simulate === true;
  if (!simulate && !values.yes && !io.prompt) {
    throw new UsageError('runbook run against a real Enterprise Manager needs confirmation, and there is no terminal to ask on: pass --yes (or rehearse with --simulate)');
  }
  refuseResumedRehearsal(values.resume, simulate);
  let maxConcurrency: number | undefined;
  if (values.concurrency !== undefined) {
    maxConcurrency = Number(values.concurrency);
    if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1) throw new UsageError(`--concurrency must be a whole number ≥ 1, got "${values.concurrency}"`);
  }

  let recorder: RunRecorder | undefined;
  const onEvent = (e: ClientEvent) => {
    if (e.type === 'retry') recorder?.event('retry', `${e.method} ${e.path}: ${e.reason}; retry ${e.attempt} in ${Math.round(e.delayMs / 1000)}s`);
    else if (e.type === 'logon' && e.reason !== 'initial') recorder?.event('session-renewal', `logged on again (${e.reason} session)`);
    else if (e.type === 'waiting') recorder?.event('warning', `EM has not answered yet: ${describeWait(e)}`);
  };
  // Real runs are always journaled (status/rollback rely on it); rehearsals only on request.
  const journaled = !simulate || values['state-dir'] !== undefined;
  let stateDir: string | undefined;
  let lock: Lock | undefined;
  // The lock is taken before anything is sent: a second run is refused without logging on.
  // So is a run of a playbook whose last run left failovers nobody knows the outcome of.
  let ignoredUnresolved: RunStatus | undefined;
  let resumeFrom: RunStatus | undefined;
  const beforeConnect = (file: string, playbook: Playbook) => {
    // --approve names approval steps of this playbook (checked again on the plan, for --resume).
    approvalsAhead(approvalStepIds(playbook.steps), values.approve ?? [], { hasStateDir: journaled, by: '', at: '', signed: playbook.approvers !== undefined });
    if (playbook.approvers) {
      const problem = sshKeygenProblem(sshKeygenBin(io.env));
      if (problem) throw new UsageError(`${file}: approvers needs signed decisions, and ${problem}`);
    }
    if (!journaled) return;
    stateDir = resolveStateDir({ stateDir: values['state-dir'], playbook: file, cwd: io.cwd });
    refuseUnsafeStateDir(stateDir);
    lock = acquireLock(stateDir, file);
    if (simulate) return; // a rehearsal's simulator starts empty: nothing of a real run can be sent twice
    const earlier = earlierRuns(stateDir, file, values.resume);
    resumeFrom = earlier.resumeFrom;
    if (earlier.unresolved && !values['ignore-unresolved']) throw unresolvedError(earlier.unresolved, stateDir);
    ignoredUnresolved = earlier.unresolved;
  };
  let prepared: Awaited<ReturnType<typeof prepare>>;
  try {
    prepared = await prepare('run', positionals, values, io, { ...(maxConcurrency !== undefined ? { maxConcurrency } : {}), onEvent, beforeConnect });
  } catch (error) {
    (lock as Lock | undefined)?.release();
    throw error;
  }
  const { target, playbookFile } = prepared;
  let plan = prepared.plan;
  let journal: Journal | undefined;
  try {
    if (plan.problems.length > 0) throw new PreflightError(plan.problems);
    if (resumeFrom && stateDir !== undefined) plan = resumedPlan(plan, resumeFrom, stateDir);
    // Never twice across runs: said before the confirmation, and journaled once the run starts.
    const before = stateDir !== undefined && !simulate ? failedOverBefore(stateDir, plan).map(describeEarlierFailover) : [];
    for (const w of before) io.stderr.write(`runbook: warning: ${w}\n`);
    const done = new Set(Object.keys(plan.resumed?.steps ?? {}));
    const gates = approvalStepIds(plan.steps, done);
    const allowedSigners = plan.playbook.approvers?.allowedSigners;
    const ahead = approvalsAhead(gates, values.approve ?? [], { hasStateDir: journaled, by: osUser(), at: new Date(target.clock.now()).toISOString(), signed: allowedSigners !== undefined });
    if (!simulate && !values.yes) {
      const n = countMutatingCalls(plan.steps, [...done]);
      const waits = gates.filter((id) => !ahead.has(id));
      const gated = waits.length > 0 ? `, waiting for approval at ${waits.join(', ')}` : '';
      const answer = await io.prompt!(`About to run "${plan.playbook.name}" against ${target.url}: ${n} failover request${n === 1 ? '' : 's'}${gated}. Type "yes" to continue: `);
      if (answer.trim().toLowerCase() !== 'yes') throw new UsageError('not confirmed: nothing was sent');
    }

    const secrets = new SecretFilter();
    for (const s of target.secrets) secrets.register(s);
    const clock = target.clock;
    // One timeline per run: the run id, journal, report and progress timestamps all read the
    // run's clock. In a rehearsal that is simulated time (it starts at the real instant the
    // simulator was set up and runs timeScale× faster); the report and journal say so
    // (server.timeScale) and the summary gives the real duration beside it.
    const runId = newRunId(clock);
    const realStart = systemClock.now();
    if (stateDir !== undefined) {
      journal = openJournal(stateDir, runId, { secrets });
      const cutShort = journal;
      io.onForcedExit?.(() =>
        cutShort.append({
          type: 'event',
          at: new Date(clock.now()).toISOString(),
          kind: 'interrupt',
          message: 'second signal: exited at once, rollback did not finish; runbook status lists what was left',
        }),
      );
    }
    const playbookSha256 = createHash('sha256').update(readFileSync(playbookFile)).digest('hex');
    recorder = new RunRecorder({
      runId,
      plan,
      playbookSha256,
      host: { hostname: hostname(), user: osUser() },
      pid: process.pid,
      clock,
      ...(journal ? { journal } : {}),
    });
    if (plan.resumed) recorder.event('warning', describeResume(plan.resumed));
    for (const w of before) recorder.event('warning', w);
    if (resumeFrom && resumeFrom.report.playbook.sha256 !== playbookSha256) {
      recorder.event('warning', `the playbook changed since run ${resumeFrom.runId}: steps are matched by id and VMs by name`);
    }
    if (ignoredUnresolved) {
      const n = ignoredUnresolved.unresolved.length;
      recorder.event('warning', `started with --ignore-unresolved: run ${ignoredUnresolved.runId} left ${n} request${n === 1 ? '' : 's'} unresolved (${ignoredUnresolved.unresolved.map((u) => u.request.target).join(', ')})`);
    }
    const logFile = values['log-file'] !== undefined ? attachLogFile(values['log-file'], io.cwd, recorder, secrets, clock) : undefined;
    const renderer: ProgressRenderer = values.quiet ? 'silent' : io.stdout.isTTY ? 'default' : 'verbose';
    const progress = startProgress({ plan, recorder, renderer, clock, stdout: io.stdout, stderr: io.stderr, ...(target.timeScale !== undefined ? { timeScale: target.timeScale } : {}) });
    let result: ExecuteResult;
    try {
      const where = stateDir !== undefined ? { stateDir } : {};
      const now = () => new Date(clock.now()).toISOString();
      const signing = allowedSigners !== undefined ? { allowedSigners, sshKeygen: sshKeygenBin(io.env) } : {};
      const approvals = createInbox({ ahead, runId, playbookSha256, now, ...signing, ...where });
      result = await executePlan({ plan, client: target.client, clock, recorder, approvals, ...where, signal: io.signal, env: io.env });
    } catch (error) {
      // A bug in the executor: the journal still gets its run-end and the view still ends.
      recorder.end('failed', ExitCode.internal);
      await progress.finish();
      throw error;
    }
    const exitCode =
      result.interrupted !== undefined
        ? ((result.interrupted as { exitCode?: number }).exitCode ?? ExitCode.sigint)
        : result.outcome === 'succeeded'
          ? ExitCode.ok
          : ExitCode.runFailed;
    const report = recorder.end(result.outcome, exitCode);
    // The view ends because the executor ended; what follows never waits on the view alone.
    await progress.finish();
    logFile?.close();
    const kept = stateDir !== undefined ? writeStateReport(stateDir, report, secrets) : undefined;
    const written = writeOutputs(values, report, io.cwd, secrets, systemClock, io.env);
    const summary = renderSummary(report, { realMs: systemClock.now() - realStart }) + whereItWent(io.cwd, runId, stateDir, kept, written, simulate);
    if (exitCode === ExitCode.ok) {
      if (!values.quiet) io.stdout.write(`\n${summary}`);
    } else {
      io.stderr.write(`\n${summary}`);
    }
    if (result.interrupted !== undefined) throw result.interrupted;
    return exitCode;
  } finally {
    await prepared.close();
    try {
      journal?.close();
    } finally {
      lock?.release();
    }
  }
};

/** Closing lines: where the journal and reports are, and the commands that read them. */
function whereItWent(cwd: string, runId: string, stateDir: string | undefined, kept: string | undefined, written: string[], simulate: boolean): string {
  const show = (path: string) => {
    const rel = relative(cwd, path);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
  };
  const lines: string[] = [];
  if (stateDir !== undefined) {
    const dir = show(stateDir);
    lines.push(`Journal: ${show(journalFile(stateDir, runId))}${kept !== undefined ? `, report: ${show(kept)}` : ''}`);
    lines.push(`  runbook status --run ${runId} --state-dir ${dir}`);
    lines.push(`  runbook report ${runId} --state-dir ${dir}    (HTML)`);
  } else if (simulate) {
    lines.push('Rehearsal not journaled: add --state-dir DIR to keep it for runbook status and runbook report.');
  }
  for (const file of written) lines.push(`Wrote ${show(file)}`);
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
