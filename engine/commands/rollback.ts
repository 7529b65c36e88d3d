// `runbook rollback --run ID`: for a run that died (crashed, killed, lost its host), stop
// what EM still lets a new session see, record real results, and list what must be checked
// by hand. Exit 0 when nothing is left unresolved, 1 otherwise.

import { hostname } from 'node:os';
import { createClient, tlsWarning } from '../api/client.js';
import type { EmClient } from '../api/types.js';
import { systemClock, type Clock } from '../clock.js';
import { errorMessage, LockedError, UsageError } from '../errors.js';
import { loadPlaybook } from '../playbook/validate.js';
import type { ServerConfig } from '../playbook/types.js';
import { resolveCredentials, serverClientOptions } from './credentials.js';
import { checkRunId, openJournal } from '../state/journal.js';
import { acquireLock } from '../state/lock.js';
import { rollbackUnresolved } from '../run/rollback-run.js';
import { describeUnresolved, loadRunStatus, requireRunStart, type RunStatus } from '../state/run-status.js';
import { resolveStateDir } from '../state/state-dir.js';
import { WAIT_NOTICE_MS } from './target.js';
import { describeWait } from '../api/wait-notice.js';
import { runbookCommand, stateDirArgs } from '../state/hint.js';
import { defineCommand, parseOptions, renderHelp } from './options.js';
import type { Command, CommandIO } from '../io.js';

export const ROLLBACK = defineCommand({
  name: 'rollback',
  usage: '--run ID [--state-dir DIR] [--playbook FILE] [--server URL] [--yes] [--force]',
  about: `For a run that ended without finishing (see 'runbook status'): asks Enterprise Manager
about every task the run left in flight, stops those still running (DELETE /tasks/{id}),
records the result of those that finished, and lists what must be checked by hand.

EM tasks belong to the logon session that started them, so a new session usually cannot
see them (404): rollback then says so and names the VMs, replicas and task ids to check in
the EM console. Requests that got no answer have no task id and are always listed.`,
  options: {
    run: { type: 'string', arg: 'ID', description: 'the run to roll back (required)' },
    'state-dir': {
      type: 'string',
      arg: 'DIR',
      description: 'where runs are recorded (default: .runbook/ beside --playbook, else ./.runbook)',
    },
    playbook: { type: 'string', arg: 'FILE', description: 'the playbook (default: the one the run recorded); read for server settings' },
    server: {
      type: 'string',
      arg: 'URL',
      description:
        "Enterprise Manager URL (default: the one the run used, where its tasks are; else VEEAM_EM_URL, else the playbook's server.url)",
    },
    yes: { type: 'boolean', short: 'y', description: 'do not ask for confirmation (required without a terminal)' },
    force: { type: 'boolean', description: 'roll back a run that started on another host (only if it is dead)' },
  },
  notes: `Credentials: VEEAM_EM_USERNAME and VEEAM_EM_PASSWORD (or VEEAM_EM_PASSWORD_FILE), else the
playbook's server block; the environment overrides the playbook.

Exit codes: 0 nothing left unresolved, 1 something must still be checked by hand,
2 bad arguments, 4 cannot log on, 5 the run is still running.`,
});

/** Test seam: the command builds its EM client through this (the simulator in tests). */
export interface RollbackDeps {
  createClient?: (options: Parameters<typeof createClient>[0]) => EmClient;
  clock?: Clock;
}

export const rollbackCommand: Command = (argv, io) => runRollback(argv, io, {});

export async function runRollback(argv: string[], io: CommandIO, deps: RollbackDeps): Promise<number> {
  const { values } = parseOptions(ROLLBACK, argv);
  if (values.help) {
    io.stdout.write(renderHelp(ROLLBACK));
    return 0;
  }
  if (values.run === undefined) throw new UsageError("runbook rollback: --run ID is required (see 'runbook status' for run ids)");
  const runId = checkRunId(values.run);
  const stateDir = resolveStateDir({ stateDir: values['state-dir'], playbook: values.playbook, cwd: io.cwd });
  const clock = deps.clock ?? systemClock;
  const status = requireRunStart(loadRunStatus(stateDir, runId), `runbook rollback --run ${runId}`);
  refuseIfAlive(status, values.force === true);

  if (status.unresolved.length === 0) {
    io.stdout.write(`run ${runId}: nothing unresolved; nothing to roll back.\n`);
    return 0;
  }
  const playbookFile = values.playbook ?? status.report.playbook.file;
  const lock = playbookFile ? acquireLock(stateDir, playbookFile) : undefined;
  const journal = openJournal(stateDir, runId);
  try {
    io.stdout.write(describe(status));
    if (!(await confirmed(io, values.yes === true, status))) {
      io.stderr.write('rollback cancelled; nothing was done.\n');
      return 1;
    }
    const now = () => new Date(clock.now()).toISOString();
    if (status.report.server.simulated && !values.server) {
      // --simulate runs used an in-process simulator that ended with the process.
      for (const u of status.unresolved) {
        journal.append({
          at: now(),
          type: 'rollback',
          action: 'manual',
          stepId: u.stepId,
          target: u.request.target,
          ok: true,
          message: 'simulated run: its in-process simulator ended with the run; nothing exists to stop',
        });
      }
    } else {
      const client = await logOn(io, values, status, deps, clock, journal.registerSecret);
      try {
        const outcomes = await rollbackUnresolved(status.unresolved, {
          client,
          journal,
          now,
          sleep: (ms) => clock.sleep(ms),
        });
        for (const o of outcomes) io.stdout.write(`  ${o.resolved ? 'resolved' : 'OPEN    '} ${o.item.request.target}: ${o.message}\n`);
      } finally {
        await client.logout();
      }
    }
  } finally {
    journal.close();
    lock?.release();
  }

  const after = loadRunStatus(stateDir, runId);
  if (after.unresolved.length === 0) {
    io.stdout.write(`\nrun ${runId}: nothing left unresolved.\n`);
    return 0;
  }
  io.stdout.write(`\nStill to check by hand in Enterprise Manager (${after.unresolved.length}):\n`);
  for (const u of after.unresolved) {
    const t = u.request;
    io.stdout.write(
      `  - ${t.kind === 'plan' ? 'plan' : 'VM'} ` +
        `${t.target}${t.replica ? `, replica ${t.replica}` : ''}${t.taskId ? `, task ${t.taskId}` : ''} ` +
        `(step "${u.stepName}")\n`,
    );
  }
  io.stdout.write(
    `Do not run the playbook again before checking them. The details: ` +
      `${runbookCommand('status', '--run', runId, ...stateDirArgs(stateDir, io.cwd))}\n`,
  );
  return 1;
}

function refuseIfAlive(status: RunStatus, force: boolean): void {
  if (status.liveness === 'running') {
    throw new LockedError(
      `run ${status.runId} is still running (pid ${status.pid} on ${status.report.host.hostname}). ` +
        `Stop it first (Ctrl-C or kill -TERM ${status.pid}): it rolls back by itself.`,
    );
  }
  if (status.liveness === 'elsewhere' && !force) {
    throw new LockedError(
      `run ${status.runId} started on ${status.report.host.hostname} (this is ${hostname()}) and has ` +
        `no run-end: this machine cannot tell whether it still runs. ` +
        `Roll it back there, or pass --force once you are sure it is gone.`,
    );
  }
}

function describe(status: RunStatus): string {
  const lines = [`Run ${status.runId} (${status.report.playbook.name}, ${status.display}) left ${status.unresolved.length} unresolved:`];
  for (const u of status.unresolved) lines.push(`  - ${describeUnresolved(u)}`);
  return `${lines.join('\n')}\n`;
}

async function confirmed(io: CommandIO, yes: boolean, status: RunStatus): Promise<boolean> {
  if (yes) return true;
  if (!io.prompt) throw new UsageError('runbook rollback: confirmation needed; pass --yes when not running in a terminal');
  const answer = await io.prompt(`Ask ${status.report.server.url || 'Enterprise Manager'} to stop these tasks? [y/N] `);
  return /^y(es)?$/i.test(answer.trim());
}

async function logOn(
  io: CommandIO,
  values: { playbook?: string | undefined; server?: string | undefined },
  status: RunStatus,
  deps: RollbackDeps,
  clock: Clock,
  registerSecret: (value: string) => void,
): Promise<EmClient> {
  const file = values.playbook ?? status.report.playbook.file;
  let server: ServerConfig | undefined;
  if (file) {
    try {
      server = (await loadPlaybook(file)).server;
    } catch (error) {
      // The playbook may have moved or changed since the run: the environment still works.
      io.stderr.write(
        `runbook: warning: cannot read the playbook ${file} (${errorMessage(error).split('\n')[0]}); ` +
          `using the environment for credentials\n`,
      );
    }
  }
  const creds = resolveCredentials({
    env: io.env,
    server,
    playbookFile: file || undefined,
    urlFlag: values.server,
    recorded: { url: status.report.server.url || undefined, username: status.report.server.username },
  });
  registerSecret(creds.password);
  const make = deps.createClient ?? createClient;
  const options: Parameters<typeof createClient>[0] = {
    url: creds.url,
    username: creds.username,
    password: creds.password,
    media: server?.media ?? status.report.server.media,
    clock,
    ...(server ? serverClientOptions(server, file) : {}),
    waitNoticeMs: WAIT_NOTICE_MS,
    onEvent: (e) => {
      if (e.type === 'waiting') io.stderr.write(`runbook: ${describeWait(e)}\n`);
    },
  };
  const warning = tlsWarning(options);
  if (warning) io.stderr.write(`runbook: warning: ${warning}\n`);
  const client = make(options);
  await client.logon({ signal: io.signal });
  return client;
}
