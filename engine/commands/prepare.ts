// What `plan` and `run` share before anything is sent: their common options (declared once
// here), then three explicit steps: load the playbook and params, connect and log on, resolve
// the names into a plan. `run` puts its state guards between the first two.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ClientEvent } from '../api/types.js';
import { UsageError } from '../errors.js';
import { resolvePlan } from '../plan/resolve.js';
import type { Plan } from '../plan/types.js';
import { resolveParams } from '../playbook/resolve-params.js';
import { bindTemplate } from '../playbook/template.js';
import type { MediaType, ParamValue, Playbook } from '../playbook/types.js';
import { loadPlaybook } from '../playbook/validate.js';
import { writeSimLog } from './sim-log.js';
import { describeWait } from '../api/wait-notice.js';
import { openTarget, type Target } from './target.js';
import { parseParamFlags } from './args.js';
import type { CommandIO } from '../io.js';
import type { OptionTable } from './options.js';

export const CONNECT_OPTIONS = {
  server: {
    type: 'string',
    arg: 'URL',
    description:
      'Enterprise Manager URL (overrides VEEAM_EM_URL, which overrides server.url; VEEAM_EM_USERNAME/PASSWORD override the playbook too)',
  },
  simulate: {
    type: 'boolean',
    description:
      'rehearse against the embedded simulator (no confirmation needed; inventory derived from the playbook: see Rehearsals below)',
  },
  inventory: {
    type: 'string',
    arg: 'FILE',
    description: 'simulator inventory instead of the one derived from the playbook (with --simulate)',
  },
  'time-scale': { type: 'string', arg: 'X', description: 'with --simulate: the simulated world runs X times faster (default 60)' },
  param: { type: 'string', arg: 'name=value', multiple: true, description: 'playbook param, each name once' },
  media: { type: 'string', arg: 'xml|json', description: 'EM media type (default: server.media, xml)' },
  'sim-log': { type: 'string', arg: 'FILE', description: "with --simulate: write the simulator's request log (JSON Lines)" },
} as const satisfies OptionTable;

/** The help's closing paragraph on rehearsals, shared by plan and run. */
export const REHEARSALS = `Rehearsals (--simulate): the embedded simulator's inventory is derived from the playbook,
so it holds every name the playbook uses and a misspelt VM or replica name is NOT caught
there. To rehearse against the names a real EM has: 'runbook plan' against the real EM
(it sends nothing mutating), or an inventory of those names (--simulate --inventory FILE,
or 'runbook sim --inventory FILE'). A rehearsal logs on with VEEAM_EM_USERNAME/PASSWORD
when set, runs no exec step unless it has rehearse: run (or a rehearse: [stand-in]), and
its reports say REHEARSAL (simulated EM).`;

/** The values of CONNECT_OPTIONS, as parsed. */
export interface ConnectValues {
  server?: string | undefined;
  simulate?: boolean | undefined;
  inventory?: string | undefined;
  param?: string[] | undefined;
  media?: string | undefined;
  'sim-log'?: string | undefined;
  'time-scale'?: string | undefined;
}

export interface Input {
  playbookFile: string;
  playbook: Playbook;
  /** sha256 of the playbook file as read: the saved plan and the journal name the exact file. */
  playbookSha256: string;
  params: Record<string, ParamValue>;
}

/** Step 1: the playbook (validated) and its params; flag values checked. Nothing is sent. */
export async function loadInput(command: string, positionals: string[], values: ConnectValues, io: CommandIO): Promise<Input> {
  if (positionals.length !== 1)
    throw new UsageError(`runbook ${command}: expected exactly one playbook file (see 'runbook ${command} --help')`);
  if (values.inventory !== undefined && !values.simulate) throw new UsageError('--inventory only applies with --simulate');
  if (values.media !== undefined && values.media !== 'xml' && values.media !== 'json')
    throw new UsageError(`--media must be xml or json, got "${values.media}"`);
  timeScaleOf(values);
  const playbookFile = resolve(io.cwd, positionals[0]!);
  const playbook = await loadPlaybook(playbookFile);
  const params = resolveParams(playbook, parseParamFlags(values.param), io.env);
  return { playbookFile, playbook, playbookSha256: sha256File(playbookFile), params };
}

export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function timeScaleOf(values: ConnectValues): number | undefined {
  const timeScale = values['time-scale'] !== undefined ? Number(values['time-scale']) : undefined;
  if (timeScale !== undefined && !(timeScale > 0))
    throw new UsageError(`--time-scale must be a positive number, got "${values['time-scale']}"`);
  return timeScale;
}

export interface Connection {
  target: Target;
  /** Logs out, then writes --sim-log. Never throws for a failed logout. */
  close: () => Promise<void>;
  /** The plan is resolved: from now on the command's own view says when EM keeps quiet. */
  resolved: () => void;
}

/** Step 2: open the target (real EM or the simulator) and log on. */
export async function connect(input: Input, values: ConnectValues, io: CommandIO, events?: (e: ClientEvent) => void): Promise<Connection> {
  const timeScale = timeScaleOf(values);
  // Until the plan is resolved nothing else is on screen: a silent EM is said on stderr.
  let quiet = false;
  const onEvent = (e: ClientEvent) => {
    if (e.type === 'waiting' && !quiet) io.stderr.write(`runbook: ${describeWait(e)}\n`);
    events?.(e);
  };
  const target = await openTarget({
    playbook: input.playbook,
    env: io.env,
    cwd: io.cwd,
    simulate: values.simulate === true,
    ...(values.server !== undefined ? { server: values.server } : {}),
    ...(values.inventory !== undefined ? { inventory: values.inventory } : {}),
    ...(values.media !== undefined ? { media: values.media as MediaType } : {}),
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
  } catch (error) {
    await close();
    throw error;
  }
  const resolved = () => {
    quiet = true;
  };
  return { target, close, resolved };
}

/** Step 3: every name resolved into the plan (reads only). */
export async function resolveInput(input: Input, conn: Connection, io: CommandIO, maxConcurrency?: number): Promise<Plan> {
  const { playbook, params } = input;
  const { target } = conn;
  const plan = await resolvePlan({
    playbook,
    client: target.client,
    params,
    env: io.env,
    bind: (t) => bindTemplate(t, { params, env: io.env }),
    server: {
      url: target.url,
      media: target.media,
      simulated: target.simulated,
      username: target.username,
      ...(target.timeScale !== undefined ? { timeScale: target.timeScale } : {}),
    },
    ...(maxConcurrency !== undefined ? { maxConcurrency } : {}),
    signal: io.signal,
  });
  conn.resolved();
  return plan;
}
