// `runbook plan`: read-only dry run. Logs on, resolves every name, runs the check steps,
// prints the ordered calls `run` would make and what rollback would do. Never sends a
// mutating request. Exit 0 ready, 3 not ready, 4 cannot connect, 2 bad playbook/args.

import { resolve } from 'node:path';
import { estimateSteps, loadRunHistory } from '../plan/history.js';
import { preflight } from '../plan/preflight.js';
import { formatDuration as formatMs } from '../duration.js';
import { estimateRto, rtoWarning, type RtoEstimate } from '../plan/rto-estimate.js';
import { renderPlan } from '../plan/render.js';
import { savePlan } from '../plan/saved.js';
import type { Plan } from '../plan/types.js';
import { ExitCode, PreflightError, UsageError } from '../errors.js';
import { writeFileAtomic } from '../state/atomic.js';
import { resolveStateDir } from '../state/state-dir.js';
import { earlierRuns, lastRunLeft } from '../state/earlier-run.js';
import { describeEarlierFailover, failedOverBefore } from '../plan/failed-over-before.js';
import { runbookCommand, stateDirArgs } from '../state/hint.js';
import { refuseResumedRehearsal, resumedPlan } from './run-resume.js';
import type { Command, CommandIO } from '../io.js';
import { defineCommand, parseOptions, renderHelp } from './options.js';
import { CONNECT_OPTIONS, REHEARSALS, connect, loadInput, resolveInput } from './prepare.js';

export const PLAN = defineCommand({
  name: 'plan',
  usage: '<playbook> [options]',
  about: `Dry run: log on, resolve every name, run the check steps and print the exact calls
'runbook run' would make, with what rollback would do. Sends no mutating request.`,
  options: {
    ...CONNECT_OPTIONS,
    format: { type: 'string', arg: 'text|json', default: 'text', description: 'output format' },
    out: {
      type: 'string',
      arg: 'FILE',
      description:
        "write the resolved plan (playbook sha256, params, EM URL, names resolved to ids, each call) for 'runbook run --plan FILE'",
    },
    'state-dir': {
      type: 'string',
      arg: 'DIR',
      description:
        'where earlier runs are recorded (default .runbook beside the playbook): ' +
        'their reports estimate the time to recover against targets.rto',
    },
    resume: {
      type: 'string',
      arg: 'RUN_ID',
      description: "what 'runbook run --resume RUN_ID' would send: without what that run (the last one of this playbook) already did",
    },
  },
  notes: `Credentials: --server, then VEEAM_EM_URL, VEEAM_EM_USERNAME and VEEAM_EM_PASSWORD (or
VEEAM_EM_PASSWORD_FILE), then the playbook's server section: the command line overrides
the environment, which overrides the playbook. Exit: 0 ready, 2 bad playbook or arguments, 3 a check failed or a
name did not resolve, 4 cannot connect or authenticate.

${REHEARSALS}`,
});

export const planCommand: Command = async (argv, io) => {
  const { values, positionals } = parseOptions(PLAN, argv);
  if (values.help) {
    io.stdout.write(renderHelp(PLAN));
    return ExitCode.ok;
  }
  const format = values.format;
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, got "${format}"`);
  refuseResumedRehearsal(values.resume, values.simulate);
  if (values.out !== undefined && values.resume !== undefined)
    throw new UsageError('--out saves a whole plan; --resume narrows one to what an earlier run left: use one of them');
  const input = await loadInput('plan', positionals, values, io);
  const conn = await connect(input, values, io);
  const { target, close } = conn;
  let plan: Plan;
  try {
    plan = await resolveInput(input, conn, io);
    await preflight(plan, target.client, target.clock, io.signal);
    const stateDir = resolveStateDir({ stateDir: values['state-dir'], playbook: input.playbookFile, cwd: io.cwd });
    const earlier = plan.server.simulated ? {} : earlierRuns(stateDir, input.playbookFile, values.resume);
    if (earlier.resumeFrom) plan = resumedPlan(plan, earlier.resumeFrom, stateDir);
    const rto = estimateFromHistory(plan, stateDir, io);
    if (!plan.server.simulated)
      for (const e of failedOverBefore(stateDir, plan)) io.stderr.write(`runbook: warning: ${describeEarlierFailover(e)}\n`);
    const last = earlier.unresolved;
    if (last) {
      io.stderr.write(
        `runbook: warning: ${lastRunLeft(last)}: 'runbook run' refuses (exit 5) until each is checked; ` +
          `see ${runbookCommand('status', '--run', last.runId, ...stateDirArgs(stateDir, io.cwd))}\n`,
      );
    }
    if (format === 'json') {
      io.stdout.write(`${JSON.stringify(rto ? { ...plan, rtoEstimate: rto } : plan, null, 2)}\n`);
    } else {
      io.stdout.write(renderPlan(plan, { media: target.media, encode: (c) => target.client.encode(c) }));
      if (rto) {
        const against = plan.targets.rtoMs !== undefined ? ` (target ${formatMs(plan.targets.rtoMs)})` : '';
        io.stdout.write(`Estimated time to recover: ${formatMs(rto.estimateMs)}${against}, ${rto.basis}.\n`);
      }
    }
  } finally {
    await close();
  }
  if (plan.problems.length > 0) throw new PreflightError(plan.problems);
  if (values.out !== undefined) {
    // Only a ready plan is saved: a reviewer approves calls that can be sent.
    const file = resolve(io.cwd, values.out);
    writeFileAtomic(file, `${JSON.stringify(savePlan(plan, input.playbookSha256), null, 2)}\n`);
    io.stderr.write(`Plan saved to ${values.out}: 'runbook run --plan ${values.out}' sends exactly these calls.\n`);
  }
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
