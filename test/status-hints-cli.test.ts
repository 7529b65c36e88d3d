// Every command `runbook status` prints runs as printed: the run used a state dir that is
// not the default (and whose path holds a space), the commands are pasted into a shell in
// another directory. Approve, status, rollback and run --resume each find the run.

import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { JournalEntry } from '../engine/state/journal-types.js';
import { runCli, type CliResult } from './helpers/cli.js';
import { deadPid } from './helpers/dead-pid.js';
import { CRASHED_RUN_ID, crashedRunEntries, toJsonl } from './helpers/journal-fixture.js';
import { cliPath } from './helpers/paths.js';

const PLAYBOOK = `version: 1
name: hints e2e
params:
  ticket: {type: string, default: CHG-7}
steps:
  - id: db
    failover: {cdpReplica: ERP-CDP, vms: [erp-db01]}
  - id: dba-check
    approval: "DBA: erp-db01 recovered cleanly"
`;

const base = mkdtempSync(join(tmpdir(), 'runbook hints '));
const playbook = join(base, 'pb.yaml');
writeFileSync(playbook, PLAYBOOK);
/** Where the operator pastes: neither the playbook's folder nor the state dir's. */
const elsewhere = mkdtempSync(join(tmpdir(), 'runbook-paste-'));
const bin = join(base, 'bin');
mkdirSync(bin);
writeFileSync(join(bin, 'runbook'), `#!/bin/sh\nexec '${process.execPath}' '${cliPath}' "$@"\n`);
chmodSync(join(bin, 'runbook'), 0o755);

/** Runs a printed command line through a shell, as an operator pasting it would. */
function paste(line: string, input = ''): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', line], { cwd: elsewhere, env: { PATH: `${bin}:${process.env.PATH ?? ''}`, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.on('error', () => undefined); // the command may exit before reading its input
    child.stdin.end(input);
  });
}

/** The `runbook VERB …` commands in a text: shell words (bare, or single-quoted) one space apart. */
const WORD = `(?:[^\\s';]+|'[^']*'(?:\\\\''[^']*')*)`;
const commandsIn = (text: string, verb: string) => [...text.matchAll(new RegExp(`runbook ${verb}(?: ${WORD})+`, 'g'))].map((m) => m[0]);

test('the approve command status prints for a waiting run decides it, as printed', async () => {
  const stateDir = join(base, 'state dir A');
  const run = runCli(['run', playbook, '--simulate', '--time-scale', '60', '--state-dir', stateDir], { cwd: elsewhere });
  let runId: string | undefined;
  while (!runId) {
    let files: string[] = [];
    try {
      files = readdirSync(join(stateDir, 'runs')).filter((f) => f.endsWith('.jsonl'));
    } catch {
      // not created yet
    }
    const file = files[0];
    if (file && readFileSync(join(stateDir, 'runs', file), 'utf8').includes('"type":"step-start","stepId":"dba-check"'))
      runId = file.slice(0, -6);
    else await sleep(50);
  }
  const list = await runCli(['status', '--state-dir', stateDir], { cwd: elsewhere });
  const detail = await runCli(['status', '--state-dir', stateDir, '--run', runId], { cwd: elsewhere });
  const printed = [...commandsIn(list.stdout, 'approve'), ...commandsIn(detail.stdout, 'approve')];
  assert.is(printed.length, 2, list.stdout + detail.stdout);
  assert.is(printed[0], printed[1]);
  const approved = await paste(printed[0]!);
  assert.is(approved.code, 0, approved.stderr);
  assert.match(approved.stdout, `approved step "dba-check" of run ${runId}`);
  const done = await run;
  assert.is(done.code, 0, done.stderr);
  // So do the commands the run prints at its end.
  const closing = [...commandsIn(done.stdout, 'status'), ...commandsIn(done.stdout, 'report')];
  assert.is(closing.length, 2, done.stdout);
  for (const line of closing) {
    const r = await paste(line);
    assert.is(r.code, 0, `${line}: ${r.stderr}`);
  }
});

test('the status, rollback and run --resume commands status prints for a crashed run find it, as printed', async () => {
  const stateDir = join(base, 'state dir B');
  mkdirSync(join(stateDir, 'runs'), { recursive: true });
  const write = (entries: JournalEntry[]) => writeFileSync(join(stateDir, 'runs', `${CRASHED_RUN_ID}.jsonl`), toJsonl(entries));
  const real = crashedRunEntries({ pid: deadPid(), playbookFile: playbook });
  (real[0] as Extract<JournalEntry, { type: 'run-start' }>).params = { ticket: 'CHG-7' };
  write(real);

  const list = await runCli(['status', '--state-dir', stateDir], { cwd: elsewhere });
  const detail = await runCli(['status', '--state-dir', stateDir, '--run', CRASHED_RUN_ID], { cwd: elsewhere });
  const statuses = commandsIn(list.stdout, 'status');
  const rollbacks = [...commandsIn(list.stdout, 'rollback'), ...commandsIn(detail.stdout, 'rollback')];
  const resumes = commandsIn(detail.stdout, 'run');
  assert.is(statuses.length, 1, list.stdout);
  assert.is(rollbacks.length, 2, list.stdout + detail.stdout);
  assert.is(resumes.length, 1, detail.stdout);

  const shown = await paste(statuses[0]!);
  assert.is(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, `Run ${CRASHED_RUN_ID}: ERP failover`);
  // The resumed run finds the earlier one, and refuses to go on past what it left open (exit 5)
  // before any EM is asked. `--yes`: no terminal here to confirm a real run on.
  const resumed = await paste(`${resumes[0]!} --yes`);
  assert.is(resumed.code, 5, resumed.stderr);
  assert.match(resumed.stderr, `the last run of this playbook (${CRASHED_RUN_ID}, crashed) left 4 requests`);

  // A rehearsal's rollback needs no EM: the printed command settles what the run left.
  write(crashedRunEntries({ pid: deadPid(), playbookFile: playbook, simulated: true }));
  for (const line of rollbacks) {
    // No terminal here to answer its prompt: the operator's own confirmation, added.
    const rolled = await paste(`${line} --yes`);
    assert.is.not(rolled.code, 2, rolled.stderr);
    assert.not.match(rolled.stderr, /no run "/);
  }
  const after = await runCli(['status', '--state-dir', stateDir, '--run', CRASHED_RUN_ID, '--format', 'json'], { cwd: elsewhere });
  assert.is(JSON.parse(after.stdout).unresolved.length, 0, after.stdout);
});

test.run();
