// `runbook plan`: read-only dry run. Logs on, resolves every name, runs the check steps,
// prints the ordered calls `run` would make and what rollback would do. Never sends a
// mutating request. Exit 0 ready, 3 not ready, 4 cannot connect, 2 bad playbook/args.

import { resolve } from 'node:path';
import { bindTemplate } from '../playbook/template.js';
import { resolveParams } from '../playbook/resolve-params.js';
import type { Playbook } from '../playbook/types.js';
import { loadPlaybook } from '../playbook/validate.js';
import { estimateSteps, loadRunHistory } from '../plan/history.js';
import { preflight } from '../plan/preflight.js';
import { formatDuration as formatMs } from '../duration.js';
import { estimateRto, rtoWarning, type RtoEstimate } from '../plan/rto-estimate.js';
import { renderPlan } from '../plan/render.js';
import { resolvePlan } from '../plan/resolve.js';
import type { Plan } from '../plan/types.js';
import { ExitCode, PreflightError, UsageError } from '../errors.js';
import { openTarget, type Target } from '../run/target.js';
import { writeSimLog } from '../run/sim-log.js';
import { resolveStateDir } from '../run/state-dir.js';
import { earlierRuns, lastRunLeft } from '../run/status/earlier-run.js';
import { describeEarlierFailover, failedOverBefore } from '../run/status/failed-over-before.js';
import { refuseResumedRehearsal, resumedPlan } from './run-resume.js';
import { parseCommandArgs, parseParamFlags } from './args.js';
import type { Command, CommandIO } from './io.js';
import type { ClientEvent } from '../api/types.js';
import { describeWait } from '../api/wait-notice.js';

const HELP = `Usage: runbook plan <playbook> [options]

Dry run: log on, resolve every name, run the check steps and print the exact calls
'runbook run' would make, with what rollback would do. Sends no mutating request.

Options:
  --server URL        Enterprise Manager URL (overrides VEEAM_EM_URL and server.url)
  --simulate          use the embedded simulator (inventory derived from the playbook)
  --inventory FILE    simulator inventory instead of the derived one (with --simulate)
  --param name=value  playbook param (repeatable)
  --media xml|json    EM media type (default: server.media, xml)
  --format text|json  output format (default text)
  --state-dir DIR     where earlier runs are recorded (default .runbook beside the playbook):
                      their reports estimate the time to recover against targets.rto
  --resume RUN_ID     what 'runbook run --resume RUN_ID' would send: without what that
                      run (the last one of this playbook) already did
  -h, --help          this help

Credentials: --server, then VEEAM_EM_URL, VEEAM_EM_USERNAME and VEEAM_EM_PASSWORD (or
VEEAM_EM_PASSWORD_FILE), then the playbook's server section: the command line overrides
the environment, which overrides the playbook. Exit: 0 ready, 2 bad playbook or arguments, 3 a check failed or a
name did not resolve, 4 cannot connect or authenticate.

Rehearsals (--simulate): the embedded simulator's inventory is derived from the playbook,
so it holds every name the playbook uses and a misspelt VM or replica name is NOT caught
there. To rehearse against the names a real EM has: 'runbook plan' against the real EM
(it sends nothing mutating), or an inventory of those names (--simulate --inventory FILE,
or 'runbook sim --inventory FILE'). A rehearsal logs on with VEEAM_EM_USERNAME/PASSWORD
when set, runs no exec step unless it has rehearse: run (or a rehearse: [stand-in]), and
its reports say REHEARSAL (simulated EM).
`;

export const PLAN_OPTIONS = {
  server: { type: 'string' },
  simulate: { type: 'boolean' },
  inventory: { type: 'string' },
  param: { type: 'string', multiple: true },
  media: { type: 'string' },
  'sim-log': { type: 'string' },
  'time-scale': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const planCommand: Command = async (argv, io) => {
  const { values, positionals } = parseCommandArgs('plan', argv, { ...PLAN_OPTIONS, format: { type: 'string' }, 'state-dir': { type: 'string' }, resume: { type: 'string' } });
  if (values.help) {
    io.stdout.write(HELP);
    return ExitCode.ok;
  }
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, got "${format}"`);
  refuseResumedRehearsal(values.resume, values.simulate);
  const prepared = await prepare('plan', positionals, values, io);
  const { target, playbookFile } = prepared;
  let plan = prepared.plan;
  try {
    await preflight(plan, target.client, target.clock, io.signal);
    const stateDir = resolveStateDir({ stateDir: values['state-dir'], playbook: playbookFile, cwd: io.cwd });
    const earlier = plan.server.simulated ? {} : earlierRuns(stateDir, playbookFile, values.resume);
    if (earlier.resumeFrom) plan = resumedPlan(plan, earlier.resumeFrom, stateDir);
    const rto = estimateFromHistory(plan, stateDir, io);
    if (!plan.server.simulated) for (const e of failedOverBefore(stateDir, plan)) io.stderr.write(`runbook: warning: ${describeEarlierFailover(e)}\n`);
    const last = earlier.unresolved;
    if (last) {
      io.stderr.write(`runbook: warning: ${lastRunLeft(last)}: 'runbook run' refuses (exit 5) until each is checked; see 'runbook status --run ${last.runId} --state-dir ${stateDir}'\n`);
    }
    if (format === 'json') {
      io.stdout.write(`${JSON.stringify(rto ? { ...plan, rtoEstimate: rto } : plan, null, 2)}\n`);
    } else {
      io.stdout.write(renderPlan(plan, { media: target.media, encode: (c) => target.client.encode(c) }));
      if (rto) io.stdout.write(`Estimated time to recover: ${formatMs(rto.estimateMs)}${plan.targets.rtoMs !== undefined ? ` (target ${formatMs(plan.targets.rtoMs)})` : ''}, ${rto.basis}.\n`);
    }
  } finally {
    await prepared.close();
  }
  if (plan.problems.length > 0) throw new PreflightError(plan.problems);
  return ExitCode.ok;
};

/**
 * The RTO estimate from earlier runs' reports (same playbook name, same kind of server),
 * or undefined without history. Warns on stderr when it exceeds targets.rto.
 */
function estimateFromHistory(plan: Plan, stateDir: string, io: CommandIO): RtoEstimate | undefined {
  const history = loadRunHistory(stateDir, { name: plan.playbook.name, simulated: plan.server.simulated });
  for (const problem of history.unreadable) io.stderr.write(`runbook: warning: earlier run report ignored: ${problem}\n`);
  if (history.reports.length === 0) return undefined;
  const estimate = estimateRto({ steps: estimateSteps(plan), history: history.reports });
  const warning = rtoWarning(estimate, plan.targets.rtoMs);
  if (warning !== undefined) io.stderr.write(`runbook: warning: ${warning}\n`);
  return estimate;
}

export interface PrepareValues {
  server?: string | undefined;
  simulate?: boolean | undefined;
  inventory?: string | undefined;
  param?: string[] | undefined;
  media?: string | undefined;
  'sim-log'?: string | undefined;
  'time-scale'?: string | undefined;
}

/** Shared by plan and run: load, bind params, connect, log on, resolve names. */
export async function prepare(
  command: string,
  positionals: string[],
  values: PrepareValues,
  io: CommandIO,
  extra: {
    maxConcurrency?: number;
    onEvent?: Parameters<typeof openTarget>[0]['onEvent'];
    /** Runs once the playbook is valid, before anything is sent (run takes its lock here). */
    beforeConnect?: (playbookFile: string, playbook: Playbook) => void;
  } = {},
): Promise<{ target: Target; plan: Plan; playbookFile: string; close: () => Promise<void> }> {
  if (positionals.length !== 1) throw new UsageError(`runbook ${command}: expected exactly one playbook file\nRun 'runbook ${command} --help' for usage.`);
  if (values.inventory !== undefined && !values.simulate) throw new UsageError('--inventory only applies with --simulate');
  if (values.media !== undefined && values.media !== 'xml' && values.media !== 'json') throw new UsageError(`--media must be xml or json, got "${values.media}"`);
  const timeScale = values['time-scale'] !== undefined ? Number(values['time-scale']) : undefined;
  if (timeScale !== undefined && !(timeScale > 0)) throw new UsageError(`--time-scale must be a positive number, got "${values['time-scale']}"`);
  const playbookFile = resolve(io.cwd, positionals[0]!);
  const playbook = await loadPlaybook(playbookFile);
  const params = resolveParams(playbook, parseParamFlags(values.param), io.env);
  extra.beforeConnect?.(playbookFile, playbook);
  // Until the plan is resolved nothing else is on screen: a silent EM is said on stderr.
  let resolved = false;
  const onEvent = (e: ClientEvent) => {
    if (e.type === 'waiting' && !resolved) io.stderr.write(`runbook: ${describeWait(e)}\n`);
    extra.onEvent?.(e);
  };
  const target = await openTarget({
    playbook,
    env: io.env,
    cwd: io.cwd,
    simulate: values.simulate === true,
    ...(values.server !== undefined ? { server: values.server } : {}),
    ...(values.inventory !== undefined ? { inventory: values.inventory } : {}),
    ...(values.media !== undefined ? { media: values.media as 'xml' | 'json' } : {}),
    ...(timeScale !== undefined ? { timeScale } : {}),
    onEvent,
  });
  if (target.warning !== undefined) io.stderr.write(`runbook: ${target.warning}\n`);
  const close = async () => {
    await target.client.logout();
    if (values['sim-log'] !== undefined && target.sim) writeSimLog(resolve(io.cwd, values['sim-log']), target.sim.log);
  };
  try {
    await target.client.logon({ signal: io.signal });
    const plan = await resolvePlan({
      playbook,
      client: target.client,
      params,
      env: io.env,
      bind: (t) => bindTemplate(t, { params, env: io.env }),
      server: { url: target.url, media: target.media, simulated: target.simulated, username: target.username, ...(target.timeScale !== undefined ? { timeScale: target.timeScale } : {}) },
      ...(extra.maxConcurrency !== undefined ? { maxConcurrency: extra.maxConcurrency } : {}),
      signal: io.signal,
    });
    resolved = true;
    return { target, plan, playbookFile, close };
  } catch (error) {
    await close();
    throw error;
  }
}
