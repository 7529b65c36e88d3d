// The composition root of a run, one explicit step after another:
// load → guard state → connect → resolve → (confirm) → journal → execute → reports → close.
// Nothing is sent before the state guards (lock, unresolved requests of the last run) pass.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ClientEvent } from '../api/types.js';
import { describeWait } from '../api/wait-notice.js';
import { systemClock } from '../clock.js';
import { formatDuration } from '../duration.js';
import { ExitCode, PreflightError, UsageError, errorMessage } from '../errors.js';
import { countMutatingCalls } from '../plan/render.js';
import { parseSavedPlan, planChanges, resolvedIds, type SavedPlan } from '../plan/saved.js';
import type { Plan } from '../plan/types.js';
import { createInbox } from '../state/approvals.js';
import { executePlan, type ExecuteResult } from '../run/execute.js';
import { acquireLock, type Lock } from '../state/lock.js';
import { osUser } from '../state/os-user.js';
import type { OutputValues } from '../report/outputs.js';
import { startProgress } from '../report/progress.js';
import type { RunRecorder } from '../run/recorder.js';
import { SecretFilter } from '../state/secret-filter.js';
import type { ApprovalRecord } from '../state/report-types.js';
import { sshKeygenBin, sshKeygenProblem } from '../state/ssh-keygen.js';
import { resolveStateDir } from '../state/state-dir.js';
import { refuseUnsafeStateDir } from '../state/state-dir-safety.js';
import { earlierRuns, unresolvedError } from '../state/earlier-run.js';
import { describeEarlierFailover, failedOverBefore } from '../plan/failed-over-before.js';
import type { RunStatus } from '../state/run-status.js';
import type { Target } from './target.js';
import type { CommandIO } from '../io.js';
import { connect, loadInput, resolveInput, type Connection, type ConnectValues, type Input } from './prepare.js';
import { approvalStepIds, approvalsAhead, checkApprovals } from './run-approvals.js';
import { openRecord, writeReports } from './run-record.js';
import { resumedPlan } from './run-resume.js';

export interface RunOptions {
  /** The playbook file; with `planFile` it defaults to the one the plan was made from. */
  playbook?: string;
  /** `--plan FILE`: execute exactly this saved plan. */
  planFile?: string;
  connect: ConnectValues;
  simulate: boolean;
  /** Confirmed ahead (`--yes`): no prompt. */
  yes: boolean;
  ignoreUnresolved: boolean;
  resume?: string;
  approve: string[];
  maxConcurrency?: number;
  quiet: boolean;
  stateDir?: string;
  logFile?: string;
  outputs: OutputValues;
}

/** What the state dir allowed: the lock held, and what earlier runs left. */
interface Guard {
  stateDir?: string;
  /** Said before the confirmation and journaled once the run starts. */
  warnings?: string[];
  lock?: Lock;
  resumeFrom?: RunStatus;
  ignoredUnresolved?: RunStatus;
}

export async function startRun(o: RunOptions, io: CommandIO): Promise<number> {
  const saved = o.planFile !== undefined ? readSavedPlan(resolve(io.cwd, o.planFile), o) : undefined;
  const input = await loadInput('run', playbookArg(o, saved), o.connect, io);
  if (saved) refuseChanged(o.planFile ?? 'plan', planChanges(saved, { sha256: input.playbookSha256, params: input.params }));
  // --approve names approval steps of this playbook (checked again on the plan, for --resume).
  checkApprovals(approvalStepIds(input.playbook.steps), o.approve, journaled(o), input.playbook.approvers !== undefined);
  if (input.playbook.approvers) {
    const problem = sshKeygenProblem(sshKeygenBin(io.env));
    if (problem) throw new UsageError(`${input.playbookFile}: approvers needs signed decisions, and ${problem}`);
  }
  const guard = guardState(o, input, io);
  try {
    // Forwards the client's retries and renewals to the run's record, once there is one.
    const events: { recorder?: RunRecorder } = {};
    const conn = await connect(input, o.connect, io, clientEvents(events));
    const { target, close } = conn;
    try {
      const plan = await resolveStep(o, input, conn, guard, io, saved);
      // Never twice across runs: said before the confirmation, and journaled once the run starts.
      const before = guard.stateDir !== undefined && !o.simulate ? failedOverBefore(guard.stateDir, plan).map(describeEarlierFailover) : [];
      for (const w of before) io.stderr.write(`runbook: warning: ${w}\n`);
      const ahead = await confirm(o, plan, target, guard, io);
      return await executeStep(o, input, plan, target, { ...guard, warnings: before }, ahead, events, io);
    } finally {
      await close();
    }
  } finally {
    guard.lock?.release();
  }
}

/** Real runs are always journaled (status/rollback rely on it); rehearsals only on request. */
const journaled = (o: RunOptions) => !o.simulate || o.stateDir !== undefined;

function playbookArg(o: RunOptions, saved: SavedPlan | undefined): string[] {
  if (o.playbook !== undefined || !saved) return o.playbook !== undefined ? [o.playbook] : [];
  return [saved.playbook.file];
}

function readSavedPlan(file: string, o: RunOptions): SavedPlan {
  if (o.resume !== undefined)
    throw new UsageError('--plan runs a saved plan as it was reviewed; --resume cannot narrow it (make a new plan)');
  if (o.maxConcurrency !== undefined)
    throw new UsageError('--plan runs a saved plan as it was reviewed, its concurrency included: pass --concurrency to runbook plan');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--plan ${file}: cannot read it (${errorMessage(error)})`);
  }
  const saved = parseSavedPlan(text, file);
  if (typeof saved === 'string') throw new UsageError(`--plan ${saved}`);
  if (saved.server.simulated !== o.simulate) {
    throw new UsageError(
      `--plan ${file} was made ` +
        (saved.server.simulated
          ? 'against the simulator: run it with --simulate'
          : 'against a real Enterprise Manager: run it without --simulate'),
    );
  }
  return saved;
}

function refuseChanged(file: string, changes: string[]): void {
  if (changes.length === 0) return;
  throw new PreflightError([
    `the saved plan ${file} no longer holds, nothing was sent; review a new plan ('runbook plan --out'):`,
    ...changes,
  ]);
}

/** The lock is taken before anything is sent: a second run is refused without logging on. */
function guardState(o: RunOptions, input: Input, io: CommandIO): Guard {
  if (!journaled(o)) return {};
  const stateDir = resolveStateDir({ stateDir: o.stateDir, playbook: input.playbookFile, cwd: io.cwd });
  refuseUnsafeStateDir(stateDir);
  const lock = acquireLock(stateDir, input.playbookFile);
  // A rehearsal's simulator starts empty: nothing of a real run can be sent twice.
  if (o.simulate) return { stateDir, lock };
  try {
    const earlier = earlierRuns(stateDir, input.playbookFile, o.resume);
    // So is a run of a playbook whose last run left failovers nobody knows the outcome of.
    if (earlier.unresolved && !o.ignoreUnresolved) throw unresolvedError(earlier.unresolved, stateDir);
    return {
      stateDir,
      lock,
      ...(earlier.resumeFrom ? { resumeFrom: earlier.resumeFrom } : {}),
      ...(earlier.unresolved ? { ignoredUnresolved: earlier.unresolved } : {}),
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}

function clientEvents(events: { recorder?: RunRecorder }) {
  return (e: ClientEvent) => {
    const recorder = events.recorder;
    if (e.type === 'retry')
      recorder?.event('retry', `${e.method} ${e.path}: ${e.reason}; retry ${e.attempt} in ${formatDuration(e.delayMs)}`);
    else if (e.type === 'logon' && e.reason !== 'initial') recorder?.event('session-renewal', `logged on again (${e.reason} session)`);
    else if (e.type === 'waiting') recorder?.event('warning', `EM has not answered yet: ${describeWait(e)}`);
  };
}

/** The plan to execute: resolved now, or the saved one once every name still has its id. */
async function resolveStep(
  o: RunOptions,
  input: Input,
  conn: Connection,
  guard: Guard,
  io: CommandIO,
  saved: SavedPlan | undefined,
): Promise<Plan> {
  const fresh = await resolveInput(input, conn, io, o.maxConcurrency);
  if (fresh.problems.length > 0) throw new PreflightError(fresh.problems);
  if (saved) {
    refuseChanged(o.planFile ?? 'plan', planChanges(saved, { url: fresh.server.url, resolved: resolvedIds(fresh) }));
    return saved.plan;
  }
  return guard.resumeFrom && guard.stateDir !== undefined ? resumedPlan(fresh, guard.resumeFrom, guard.stateDir) : fresh;
}

/** Approvals given ahead, then the operator's "yes" unless --yes or a rehearsal. */
async function confirm(o: RunOptions, plan: Plan, target: Target, guard: Guard, io: CommandIO): Promise<Map<string, ApprovalRecord>> {
  const done = new Set(Object.keys(plan.resumed?.steps ?? {}));
  const gates = approvalStepIds(plan.steps, done);
  const ahead = approvalsAhead(gates, o.approve, {
    hasStateDir: guard.stateDir !== undefined,
    by: osUser(),
    at: new Date(target.clock.now()).toISOString(),
    signed: plan.playbook.approvers?.allowedSigners !== undefined,
  });
  if (o.simulate || o.yes) return ahead;
  const n = countMutatingCalls(plan.steps, [...done]);
  const waits = gates.filter((id) => !ahead.has(id));
  const gated = waits.length > 0 ? `, waiting for approval at ${waits.join(', ')}` : '';
  const answer = await io.prompt!(
    `About to run "${plan.playbook.name}" against ${target.url}: ` +
      `${n} failover request${n === 1 ? '' : 's'}${gated}. Type "yes" to continue: `,
  );
  if (answer.trim().toLowerCase() !== 'yes') throw new UsageError('not confirmed: nothing was sent');
  return ahead;
}

/** Journal, execute with progress, then the reports; the journal is closed whatever happens. */
async function executeStep(
  o: RunOptions,
  input: Input,
  plan: Plan,
  target: Target,
  guard: Guard,
  ahead: Map<string, ApprovalRecord>,
  events: { recorder?: RunRecorder },
  io: CommandIO,
): Promise<number> {
  const secrets = new SecretFilter();
  for (const s of target.secrets) secrets.register(s);
  const { clock } = target;
  const realStart = systemClock.now();
  const where = guard.stateDir !== undefined ? { stateDir: guard.stateDir } : {};
  const record = openRecord(
    {
      plan,
      playbookSha256: input.playbookSha256,
      clock,
      secrets,
      ...where,
      ...(o.logFile !== undefined ? { logFile: o.logFile } : {}),
      ...(guard.resumeFrom ? { resumeFrom: guard.resumeFrom } : {}),
      warnings: guard.warnings ?? [],
      ...(guard.ignoredUnresolved ? { ignoredUnresolved: guard.ignoredUnresolved } : {}),
    },
    io,
  );
  events.recorder = record.recorder;
  try {
    const renderer = o.quiet ? 'silent' : io.stdout.isTTY ? 'default' : 'verbose';
    const timeScale = target.timeScale !== undefined ? { timeScale: target.timeScale } : {};
    const progress = startProgress({
      plan,
      recorder: record.recorder,
      renderer,
      clock,
      stdout: io.stdout,
      stderr: io.stderr,
      ...timeScale,
    });
    let result: ExecuteResult;
    try {
      const allowedSigners = plan.playbook.approvers?.allowedSigners;
      const signing = allowedSigners !== undefined ? { allowedSigners, sshKeygen: sshKeygenBin(io.env) } : {};
      const now = () => new Date(clock.now()).toISOString();
      const approvals = createInbox({ ahead, runId: record.runId, playbookSha256: input.playbookSha256, now, ...signing, ...where });
      result = await executePlan({
        plan,
        client: target.client,
        clock,
        recorder: record.recorder,
        approvals,
        ...where,
        signal: io.signal,
        env: io.env,
      });
    } catch (error) {
      // A bug in the executor: the journal still gets its run-end and the view still ends.
      record.recorder.end('failed', ExitCode.internal);
      await progress.finish();
      throw error;
    }
    // The view ends because the executor ended; what follows never waits on the view alone.
    await progress.finish();
    const exitCode = writeReports(
      record,
      result,
      { outputs: o.outputs, secrets, ...where, simulate: o.simulate, quiet: o.quiet, realStart },
      io,
    );
    if (result.interrupted !== undefined) throw result.interrupted;
    return exitCode;
  } finally {
    record.journal?.close();
  }
}
