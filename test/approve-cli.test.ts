// An approval step end to end: `runbook run` (a rehearsal with a state dir) waits at the
// step, `runbook approve` from another process decides it, the run goes on (or, rejected,
// fails and exits 1). Refusals exit 2: a step that is not an approval, the first decision
// given twice, an ended run, and a rehearsal nobody could approve (then nothing is failed over).
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { systemClock } from '../engine/clock.js';
import { runCommand } from '../engine/commands/run.js';
import type { CommandIO } from '../engine/io.js';
import { createSimulator, demoInventory, startSimulatorServer } from '../engine/simulator/index.js';
import { runCli } from './helpers/cli.js';

const PLAYBOOK = `version: 1
name: approval e2e
params:
  ticket: {type: string, default: CHG-7}
steps:
  - id: db
    failover: {cdpReplica: ERP-CDP, vms: [erp-db01]}
  - id: ask
    exec: {command: [sh, -c, 'echo "ask: runbook approve --run $RUNBOOK_RUN_ID --step dba-check --state-dir $RUNBOOK_STATE_DIR"'], rehearse: run}
  - id: dba-check
    approval: "DBA: erp-db01 recovered cleanly (ticket \${params.ticket})"
    onFailure: rollback
  - id: notify
    exec: {command: [sh, -c, 'echo "notify: $RUNBOOK_OUTCOME"'], rehearse: run}
`;

function workspace() {
  const dir = mkdtempSync(join(tmpdir(), 'approve-cli-'));
  writeFileSync(join(dir, 'pb.yaml'), PLAYBOOK);
  return { dir, playbook: join(dir, 'pb.yaml'), stateDir: join(dir, 'st'), simLog: join(dir, 'sim.jsonl') };
}

/** Waits (without a deadline of its own: runCli's timeout bounds the run) until the run waits at the step. */
async function waitingRun(stateDir: string, stepId: string): Promise<string> {
  for (;;) {
    const files = (() => {
      try {
        return readdirSync(join(stateDir, 'runs')).filter((f) => f.endsWith('.jsonl'));
      } catch {
        return [];
      }
    })();
    const file = files[0];
    if (file && readFileSync(join(stateDir, 'runs', file), 'utf8').includes(`"type":"step-start","stepId":"${stepId}"`))
      return file.replace(/\.jsonl$/, '');
    await sleep(50);
  }
}

const start = (w: ReturnType<typeof workspace>, extra: string[] = []) =>
  runCli(['run', w.playbook, '--simulate', '--time-scale', '60', '--state-dir', w.stateDir, '--sim-log', w.simLog, ...extra]);

test('the run waits at the approval step until `runbook approve` decides it, then goes on', async () => {
  const w = workspace();
  const run = start(w);
  const runId = await waitingRun(w.stateDir, 'dba-check');
  const notApproval = await runCli(['approve', '--run', runId, '--step', 'notify', '--state-dir', w.stateDir]);
  assert.is(notApproval.code, 2);
  assert.match(notApproval.stderr, `run ${runId} has no approval step "notify" (it is a exec step; approval steps: dba-check)`);
  const list = await runCli(['status', '--state-dir', w.stateDir]);
  assert.match(list.stdout, `running, waiting for approval: runbook approve --run ${runId} --step dba-check`);
  const listJson = await runCli(['status', '--state-dir', w.stateDir, '--format', 'json']);
  assert.equal(
    (JSON.parse(listJson.stdout) as { runId: string; waitingForApproval?: string[] }[]).map((r) => [r.runId, r.waitingForApproval]),
    [[runId, ['dba-check']]],
  );
  const waiting = await runCli(['status', '--run', runId, '--state-dir', w.stateDir]);
  assert.match(waiting.stdout, `running    dba-check [approval]`);
  assert.match(waiting.stdout, `waiting for approval: runbook approve --run ${runId} --step dba-check --state-dir ${w.stateDir}`);
  const ok = await runCli(['approve', '--run', runId, '--step', 'dba-check', '--state-dir', w.stateDir, '--reason', 'alert log clean']);
  assert.is(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, `approved step "dba-check" of run ${runId}`);
  const r = await run;
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /\[TITLE\] \[[\d:]+\] dba-check: DBA: erp-db01 recovered cleanly \(ticket CHG-7\)\n/);
  assert.match(r.stdout, 'waiting for approval: DBA: erp-db01 recovered cleanly (ticket CHG-7)');
  assert.match(r.stdout, `to decide: runbook approve --run ${runId} --step dba-check --state-dir ${w.stateDir}`);
  // An exec step before the gate can tell people how to decide (RUNBOOK_RUN_ID, RUNBOOK_STATE_DIR).
  assert.match(r.stdout, `ask: runbook approve --run ${runId} --step dba-check --state-dir ${w.stateDir}\n`);
  assert.match(r.stdout, /approved \(unsigned\) by \S+ via runbook approve, read \S+: alert log clean/);
  assert.match(r.stdout, 'notify: succeeded');
  const journal = readFileSync(join(w.stateDir, 'runs', `${runId}.jsonl`), 'utf8');
  assert.match(
    journal,
    /"type":"approval","stepId":"dba-check","decision":"approved","by":"[^"]+","decidedAt":"[^"]+","via":"runbook approve","reason":"alert log clean"/,
  );
  const after = await runCli(['status', '--run', runId, '--state-dir', w.stateDir]);
  assert.match(
    after.stdout,
    /succeeded {2}dba-check \[approval\].*\n\s+approved \(unsigned\) by \S+ via runbook approve, read \S+: alert log clean/,
  );
  const again = await runCli(['approve', '--run', runId, '--step', 'dba-check', '--state-dir', w.stateDir]);
  assert.is(again.code, 2);
  assert.match(again.stderr, `run ${runId} has ended (succeeded): nothing waits for an approval`);
});

test('rejected: the step fails, its onFailure (rollback) applies, exit 1; a second decision is refused', async () => {
  const w = workspace();
  const run = start(w);
  const runId = await waitingRun(w.stateDir, 'dba-check');
  const unknownStep = await runCli(['approve', '--step', 'notify', '--state-dir', w.stateDir]);
  assert.is(unknownStep.code, 2);
  assert.match(unknownStep.stderr, `no run in ${w.stateDir} waits at step "notify" now: give --run ID`);
  // Without --run: the one run waiting at that step.
  const no = await runCli(['approve', '--step', 'dba-check', '--reject', '--reason', 'redo logs missing', '--state-dir', w.stateDir]);
  assert.match(no.stdout, `rejected step "dba-check" of run ${runId}`);
  assert.is(no.code, 0, no.stderr);
  const twice = await runCli(['approve', '--run', runId, '--step', 'dba-check', '--state-dir', w.stateDir]);
  // The run may have read the rejection (the step failed) or ended meanwhile; either way the
  // rejection stands (a loaded CI machine saw the middle case).
  assert.is(twice.code, 2);
  assert.match(twice.stderr, /already rejected by \S+ at|has already ended \(failed\)|has ended/);
  const r = await run;
  assert.is(r.code, 1);
  // What the run failed over before the gate stays failed over (EM cannot undo it): the headline counts it.
  assert.match(r.stderr, /FAILED(: \d+ VMs? still failed over \(EM cannot undo a CDP failover\)| and was rolled back)/);
  assert.match(r.stdout + r.stderr, /rejected by \S+ \(unsigned\): redo logs missing/);
  assert.not.match(r.stdout, /\[OUTPUT\][^\n]*notify:/, 'the step after the rejection never ran');
});

test('a rehearsal nobody could approve is refused before anything is failed over; --approve decides ahead', async () => {
  const w = workspace();
  const refused = await runCli(['run', w.playbook, '--simulate', '--time-scale', '60', '--sim-log', w.simLog]);
  assert.is(refused.code, 2);
  assert.match(
    refused.stderr,
    `step "dba-check" waits for an approval, and 'runbook approve' cannot reach a rehearsal without --state-dir: pass --approve dba-check`,
  );
  const posted = (() => {
    try {
      return readFileSync(w.simLog, 'utf8');
    } catch {
      return '';
    }
  })();
  assert.not.match(posted, 'action=failover');
  const typo = await runCli(['run', w.playbook, '--simulate', '--approve', 'dba-chek']);
  assert.is(typo.code, 2);
  assert.match(typo.stderr, '--approve dba-chek: no approval step has this id (approval steps here: dba-check)');
  const junit = join(w.dir, 'junit.xml');
  const summary = join(w.dir, 'summary.md');
  const ahead = await runCli([
    'run',
    w.playbook,
    '--simulate',
    '--time-scale',
    '60',
    '--approve',
    'dba-check',
    '--junit',
    junit,
    '--github-summary',
    summary,
  ]);
  assert.is(ahead.code, 0, ahead.stderr);
  assert.match(ahead.stdout, /approved \(unsigned\) by \S+ via --approve/);
  assert.match(readFileSync(junit, 'utf8'), /approved \(unsigned\) by \S+ via --approve, read /);
  assert.match(
    readFileSync(summary, 'utf8'),
    /\| dba-check \| approval \| .* succeeded \| .* \| approved \(unsigned\) by \S+ via --approve, read /,
  );
});

test('the confirmation before a real run names the approval gates it will wait at', async () => {
  const w = workspace();
  const sim = createSimulator({ inventory: demoInventory({ name: 'dr', password: 'dr-pass' }), clock: systemClock });
  const server = await startSimulatorServer(sim, { port: 0 });
  const questions: string[] = [];
  const io: CommandIO = {
    stdout: { write: () => undefined, isTTY: false },
    stderr: { write: () => undefined, isTTY: false },
    env: { VEEAM_EM_USERNAME: 'dr', VEEAM_EM_PASSWORD: 'dr-pass' },
    cwd: w.dir,
    signal: new AbortController().signal,
    prompt: async (question) => {
      questions.push(question);
      return 'no';
    },
  };
  const refused = (argv: string[]) =>
    runCommand([w.playbook, '--server', server.url, '--state-dir', w.stateDir, ...argv], io).then(
      () => assert.unreachable('answered no'),
      (error: Error) => assert.match(error.message, 'not confirmed: nothing was sent'),
    );
  try {
    await refused([]);
    await refused(['--approve', 'dba-check']);
  } finally {
    await server.close();
  }
  assert.match(questions[0]!, `against ${server.url}`);
  assert.match(questions[0]!, ': 1 failover request, waiting for approval at dba-check. Type "yes" to continue');
  assert.match(questions[1]!, ': 1 failover request. Type "yes" to continue');
  assert.not.ok(
    sim.log.some((e) => e.query?.includes('action=failover')),
    'nothing failed over',
  );
});

test.run();
