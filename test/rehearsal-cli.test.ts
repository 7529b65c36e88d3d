// Rehearsals (--simulate) are safe to run anywhere: they log on with whatever account the
// shell holds for the real EM, and they run no exec step on the host unless it opts in.

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunReport } from '../engine/state/report-types.js';
import { runCli } from './helpers/cli.js';
import { playbooksDir } from './helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'runbook-rehearsal-'));
const erp = join(playbooksDir, 'erp-tiered-failover.yaml');

test('a rehearsal accepts the account the environment holds for the real EM (one or both variables, plan and run)', async () => {
  const accounts = [
    { VEEAM_EM_USERNAME: 'CORP\\dr-operator', VEEAM_EM_PASSWORD: 'real-em-secret' },
    { VEEAM_EM_USERNAME: 'CORP\\dr-operator' },
    { VEEAM_EM_PASSWORD: 'real-em-secret' },
  ];
  for (const env of accounts) {
    const plan = await runCli(['plan', erp, '--simulate'], { env });
    assert.is(plan.code, 0, `plan with ${Object.keys(env).join('+')}: ${plan.stderr}`);
    assert.not.match(plan.stdout + plan.stderr, 'real-em-secret');
  }
  const run = await runCli(['run', erp, '--simulate', '--time-scale', '500', '--state-dir', join(dir, 'state-creds')], {
    env: accounts[0]!,
  });
  assert.is(run.code, 0, run.stderr);
  assert.not.match(run.stdout + run.stderr, 'real-em-secret');
});

const marker = (name: string) => join(dir, name);
const EXEC_PLAYBOOK = `version: 1
name: exec rehearsal
params:
  msg: {type: string, default: hello}
steps:
  - id: db
    failover: {cdpReplica: ERP-CDP, vms: [erp-db01]}
  - id: dns
    exec:
      command: [touch, ${marker('dns-cutover')}]
      undo: [touch, ${marker('dns-undo')}]
  - id: harmless
    exec:
      command: [touch, ${marker('harmless')}]
      rehearse: run
  - id: notify
    exec:
      command: [touch, ${marker('notify-prod')}]
      rehearse: [touch, ${marker('notify-test')}]
  - id: fail
    exec:
      command: ['false']
      rehearse: run
    onFailure: rollback
`;

test('run --simulate runs no exec step unless it opts in: rehearse: run runs it, an argv runs the stand-in', async () => {
  const file = join(dir, 'exec.yaml');
  writeFileSync(file, EXEC_PLAYBOOK);
  const plan = await runCli(['plan', file, '--simulate']);
  assert.is(plan.code, 0, plan.stderr);
  assert.match(plan.stdout, /dns[\s\S]*in a rehearsal: not run/);
  assert.match(plan.stdout, /harmless[\s\S]*in a rehearsal: runs for real/);
  assert.match(plan.stdout, `in a rehearsal: runs the stand-in instead: touch ${marker('notify-test')}`);

  const report = join(dir, 'exec-report.json');
  const run = await runCli(['run', file, '--simulate', '--time-scale', '500', '--state-dir', join(dir, 'state-exec'), '--report', report]);
  assert.is(run.code, 1, 'the last step fails and rolls back');
  assert.match(run.stdout, `rehearsed, not run: touch ${marker('dns-cutover')}`);
  assert.not.ok(existsSync(marker('dns-cutover')), 'the DNS cut-over did not run');
  assert.not.ok(existsSync(marker('dns-undo')), 'nor did its undo when the rehearsal rolled back');
  assert.not.ok(existsSync(marker('notify-prod')), 'the production notification did not run');
  assert.ok(existsSync(marker('harmless')), 'rehearse: run ran the command');
  assert.ok(existsSync(marker('notify-test')), 'the stand-in ran');

  const r = JSON.parse(readFileSync(report, 'utf8')) as RunReport;
  const step = (id: string) => r.steps.find((s) => s.id === id)!;
  assert.is(step('dns').outcome, 'succeeded');
  assert.equal(step('dns').exec, { command: ['touch', marker('dns-cutover')], exitCode: 0, rehearsed: 'not-run' });
  assert.equal(step('notify').exec?.rehearsed, 'stand-in');
  assert.is(step('harmless').exec?.rehearsed, undefined);
  const undo = r.rollback?.find((a) => a.stepId === 'dns');
  assert.ok(undo && /rehearsed, not run/.test(undo.message ?? ''), JSON.stringify(r.rollback));
});

test('validate warns when a shell: true command pastes a param or env value into shell text, and says how to pass it safely', async () => {
  const file = join(dir, 'shell.yaml');
  writeFileSync(
    file,
    `version: 1
name: shell paste
params:
  msg: {type: string}
steps:
  - id: notify
    exec:
      shell: true
      command: [echo, "\${params.msg}"]
  - id: safe
    exec:
      command: [echo, "\${params.msg}"]
`,
  );
  const r = await runCli(['validate', file]);
  assert.is(r.code, 0, 'a warning, not an error');
  const out = r.stdout + r.stderr;
  assert.match(out, `${file}:9:23`);
  assert.match(out, 'warning: steps[0].exec.command[1]: ${params.msg} is pasted into shell text');
  assert.match(out, 'drop shell: true and pass it as its own argv item');
  assert.match(out, 'env: {VALUE: "${params.msg}"}');
  assert.is(out.match(/pasted into shell text/g)?.length, 1, 'the argv step without a shell is fine');
});

test('plan/run --help say the rehearsal inventory comes from the playbook, and how to rehearse against real names', async () => {
  for (const command of ['plan', 'run']) {
    const help = await runCli([command, '--help']);
    assert.is(help.code, 0);
    assert.match(help.stdout, 'inventory is derived from the playbook');
    assert.match(help.stdout, 'misspelt VM or replica name is NOT caught');
    assert.match(help.stdout, "'runbook sim --inventory FILE'");
  }
});

test.run();
