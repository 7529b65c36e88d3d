// One fault drill, in process, through the engine's run entry point: the same pieces
// `runbook run` assembles (loadPlaybook → client → logon → resolvePlan → executePlan with a
// RunRecorder, an fsync'ed journal and the real report writers), but on a FakeClock in
// auto mode and a simulator we keep a handle on, so the drill can read the model state.

import { fsyncSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '../../engine/api/client.js';
import { approvalStepIds, approvalsAhead } from '../../engine/commands/run-approvals.js';
import { createInbox } from '../../engine/state/approvals.js';
import { FakeClock, scaledClock, type Clock } from '../../engine/clock.js';
import { ExitCode, errorMessage } from '../../engine/errors.js';
import { resolveParams } from '../../engine/playbook/resolve-params.js';
import { bindTemplate } from '../../engine/playbook/template.js';
import { loadPlaybook } from '../../engine/playbook/validate.js';
import { resolvePlan } from '../../engine/plan/resolve.js';
import { executePlan } from '../../engine/run/execute.js';
import { newRunId, openJournal, journalPath } from '../../engine/state/journal.js';
import { startProgress } from '../../engine/report/progress.js';
import { RunRecorder } from '../../engine/run/recorder.js';
import { blankReport, type RunReport } from '../../engine/state/report-types.js';
import { SecretFilter } from '../../engine/state/secret-filter.js';
import { renderSummary } from '../../engine/report/summary.js';
import { writeJsonReport } from '../../engine/report/json.js';
import { writeJunit } from '../../engine/report/junit.js';
import { seededRandom } from '../../engine/simulator/ids.js';
import { createSimulator } from '../../engine/simulator/index.js';
import type { FaultSpec, Inventory, RequestLogEntry, SimState, Simulator } from '../../engine/simulator/index.js';
import { recordingExec } from './exec-record.js';

export const REPLICA = 'DRILL-CDP';
export const USER = 'drill-admin';
export const PASSWORD = 'Dr1ll-S3cret-Pa55w0rd';
export const BASE = 'https://em.drill.invalid:9398';
export const VMS = Array.from({ length: 20 }, (_, i) => `vm${String(i + 1).padStart(2, '0')}`);

export interface DrillSpec {
  name: string;
  media: 'xml' | 'json';
  faults: FaultSpec[];
  /** Per-VM behaviour overrides (fail, neverFinish, operationFinishedFor, failoverDuration). */
  vms?: Record<string, Record<string, unknown>>;
  /** Replaces the default two-step fan-out (db: vm01–04, app: vm05–20). */
  steps?: string;
  /** Per-request timeout in the playbook (`server.timeout`). @default 30s */
  requestTimeout?: string;
  onFailure?: 'abort' | 'rollback' | 'continue';
  /** `fake`: FakeClock in auto mode (virtual time leaps whenever everyone waits).
   * `scaled`: time runs 100× faster than real time, for faults that last real time (a
   * request that hangs until the client's timeout) where a leap would be a different drill. */
  clock?: 'fake' | 'scaled';
  /** `defaults.pollInterval`. @default 5s */
  pollInterval?: string;
  /** Sees each request as the simulator logs it, with its model state at that instant
   * (the explorer tracks what each task read showed). */
  onRequest?: (entry: RequestLogEntry, state: () => SimState) => void;
  /** Skip the journal's fsync (the explorer's thousands of runs; the journal content is the same). */
  noFsync?: boolean;
  /** The whole playbook text, instead of the generated one around `steps` (the explorer's reference set). */
  playbook?: string;
  /** Instead of the 20-VM drill replica (e.g. the simulator's demo inventory). */
  inventory?: Inventory;
  /** Approval steps decided ahead, as `runbook run --approve STEP` does. */
  approve?: string[];
}

export interface DrillRun {
  spec: DrillSpec;
  sim: Simulator;
  report: RunReport;
  exitCode: number;
  /** Everything a user would see: progress, summary, the error if the run threw. */
  output: string;
  /** Set when the run ended with an exception instead of a report (e.g. logon impossible). */
  thrown?: string;
  dir: string;
  stateDir: string;
  runId: string;
  /** Files the run wrote: the journal, the JSON report, the JUnit file. */
  files: string[];
  /** Session tokens the simulator handed out, to look for in outputs. */
  tokens: Set<string>;
  /** The progress view never finished after the run ended (the CLI would then exit 0 silently). */
  progressHung: boolean;
  /** Every exec command (and undo) the run asked for, in order: none is spawned (exec-record.ts). */
  execs: string[][];
}

/** Real time, only as a guard against a promise that never settles. */
function realDelay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export const DEFAULT_STEPS = `  - id: db
    failover: {cdpReplica: ${REPLICA}, vms: [${VMS.slice(0, 4).join(', ')}], restorePoint: latest}
  - id: app
    failover: {cdpReplica: ${REPLICA}, vms: [${VMS.slice(4).join(', ')}], restorePoint: latest, concurrency: 8}
`;

function playbookText(spec: DrillSpec): string {
  return `version: 1
name: drill ${spec.name}
server:
  media: ${spec.media}
  timeout: ${spec.requestTimeout ?? '30s'}
defaults:
  pollInterval: ${spec.pollInterval ?? '5s'}
  timeout: 30m
  onFailure: ${spec.onFailure ?? 'abort'}
steps:
${spec.steps ?? DEFAULT_STEPS}`;
}

function inventory(spec: DrillSpec): Inventory {
  if (spec.inventory) return spec.inventory;
  return {
    cdpReplicas: [{ name: REPLICA, vms: VMS.map((name) => ({ name, failoverDuration: '30s', ...(spec.vms?.[name] ?? {}) })) }],
    users: [{ name: USER, password: PASSWORD, role: 'Portal Administrator' }],
  };
}

export async function runDrill(spec: DrillSpec): Promise<DrillRun> {
  const dir = mkdtempSync(join(tmpdir(), `drill-${spec.name.replace(/\W+/g, '-')}-`));
  const file = join(dir, 'playbook.yaml');
  writeFileSync(file, spec.playbook ?? playbookText(spec));
  const stateDir = join(dir, '.runbook');
  const clock: Clock =
    spec.clock === 'scaled' ? scaledClock(100) : new FakeClock({ auto: true, start: Date.parse('2026-01-01T00:00:00Z') });
  const sim = createSimulator({
    inventory: inventory(spec),
    clock,
    baseUrl: BASE,
    faults: spec.faults,
    seed: 7,
    ...(spec.onRequest ? { onRequest: (e: RequestLogEntry) => spec.onRequest?.(e, () => sim.state) } : {}),
  });
  const tokens = new Set<string>();
  const spy: typeof fetch = async (input, init) => {
    const response = await sim.fetch(input, init);
    const token = response.headers.get('x-restsvcsessionid');
    if (token) tokens.add(token);
    return response;
  };
  let out = '';
  const sink = {
    write: (t: string) => {
      out += t;
      if (process.env.DRILL_DEBUG) process.stderr.write(t);
    },
    isTTY: false,
  };
  const playbook = await loadPlaybook(file);
  const client = createClient({
    url: BASE,
    username: USER,
    password: PASSWORD,
    media: spec.media,
    fetch: spy,
    clock,
    // A hung request times out in virtual time: the same schedule, the same run, however loaded the machine.
    ...(clock instanceof FakeClock ? { deadlineClock: clock } : {}),
    random: seededRandom(11),
    timeoutMs: playbook.server.requestTimeoutMs,
  });
  const secrets = new SecretFilter();
  secrets.register(PASSWORD);
  const runId = newRunId(clock, seededRandom(3));
  const reportFile = join(dir, 'report.json');
  const junitFile = join(dir, 'junit.xml');
  const files = [journalPath(stateDir, runId), reportFile, junitFile];
  const signal = new AbortController().signal;
  let recorder: RunRecorder | undefined;
  let progressHung = false;
  // fsync on this thread: the journal's default one runs on the thread pool, and any real
  // I/O the engine awaits lets the auto FakeClock leap ahead (to the step timeout).
  const exec = recordingExec();
  const journal = openJournal(stateDir, runId, { secrets, fsync: (fd, done) => done(spec.noFsync ? null : fsyncNow(fd)) });
  try {
    await client.logon({ signal });
    // Defaults only, as a run with no --param (the shipped examples declare some).
    const params = resolveParams(playbook, {}, {});
    const plan = await resolvePlan({
      playbook,
      client,
      params,
      env: {},
      bind: (t) => bindTemplate(t, { params, env: {} }),
      server: { url: `${BASE}/api`, media: spec.media, simulated: true, username: USER },
      signal,
    });
    if (plan.problems.length > 0) throw new Error(`drill playbook does not resolve: ${plan.problems.join('; ')}`);
    recorder = new RunRecorder({
      runId,
      plan,
      playbookSha256: '0'.repeat(64),
      host: { hostname: 'drill', user: 'drill' },
      pid: process.pid,
      clock,
      journal,
    });
    const progress = startProgress({ plan, recorder, renderer: 'verbose', clock, stdout: sink, stderr: sink });
    const now = () => new Date(clock.now()).toISOString();
    const ahead = approvalsAhead(approvalStepIds(plan.steps), spec.approve ?? [], { hasStateDir: true, by: 'drill', at: now() });
    const approvals = createInbox({ ahead, runId, playbookSha256: '0'.repeat(64), now, stateDir });
    const result = await executePlan({
      plan,
      client,
      clock,
      recorder,
      approvals,
      stateDir,
      signal,
      env: {},
      exec: exec.runner,
      random: seededRandom(5),
    });
    // The exit code mapping of engine/commands/run.ts (no interrupt here: signals are drilled through the CLI).
    const exitCode = result.outcome === 'succeeded' ? ExitCode.ok : ExitCode.runFailed;
    const report = recorder.end(result.outcome, exitCode);
    // A progress view that never settles makes `runbook run` exit 0 with no summary and no
    // report (engine/commands/run.ts awaits it): record it as a lie instead of hanging here.
    const settled = await Promise.race([progress.done.then(() => true), realDelay(5000).then(() => false)]);
    if (!settled) progressHung = true;
    out += `\n${renderSummary(report)}`;
    writeJsonReport(reportFile, report, { secrets });
    writeJunit(junitFile, report, { secrets });
    return { spec, sim, report, exitCode, output: out, dir, stateDir, runId, files, tokens, progressHung, execs: exec.commands };
  } catch (error) {
    // A run that cannot even start (logon impossible) still owes a truthful exit code.
    out += `\nrunbook: ${errorMessage(error)}\n`;
    const report = recorder?.report ?? emptyReport(runId);
    const code = (error as { exitCode?: number }).exitCode ?? ExitCode.internal;
    return {
      spec,
      sim,
      report,
      exitCode: code,
      output: out,
      thrown: errorMessage(error),
      dir,
      stateDir,
      runId,
      files: [journalPath(stateDir, runId)],
      tokens,
      progressHung,
      execs: exec.commands,
    };
  } finally {
    await client.logout();
    journal.close();
  }
}

function emptyReport(runId: string): RunReport {
  return blankReport(runId, {
    playbook: { name: 'drill', file: '', sha256: '' },
    server: { url: BASE, media: 'xml', simulated: true },
    host: { hostname: 'drill', user: 'drill' },
    outcome: 'failed',
  });
}

function fsyncNow(fd: number): NodeJS.ErrnoException | null {
  try {
    fsyncSync(fd);
    return null;
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
}
