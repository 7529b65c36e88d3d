// Signed approvals end to end with the real ssh-keygen: `runbook run` waits at a gate whose
// playbook names its approvers; an unsigned decision is refused up front, one signed by a key
// not allowed is refused by the run (journaled, shown by status) and the gate keeps waiting;
// the allowed signer's decision lets it go on. `report --verify` re-checks it offline, and
// fails on a tampered record. `run` refuses a world-writable state dir before anything.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from './helpers/cli.js';

const playbook = (signers: string) => `version: 1
name: signed approval e2e
approvers:
  allowedSigners: approvers/allowed_signers
steps:
  - id: db
    failover: {cdpReplica: ERP-CDP, vms: [erp-db01]}
  - id: security-signoff
    approval: {message: "Scan the recovered VMs", signers: [${signers}], quorum: 1}
    onFailure: rollback
`;

function workspace() {
  const dir = mkdtempSync(join(tmpdir(), 'approve-signed-'));
  mkdirSync(join(dir, 'approvers'));
  const key = (name: string) => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', join(dir, name)]);
    return readFileSync(join(dir, `${name}.pub`), 'utf8')
      .split(' ')
      .slice(0, 2)
      .join(' ');
  };
  writeFileSync(join(dir, 'approvers', 'allowed_signers'), `ciso-alice ${key('alice')}\nsoc-bob ${key('bob')}\n`);
  writeFileSync(join(dir, 'pb.yaml'), playbook('ciso-alice'));
  writeFileSync(join(dir, 'signed.yaml'), playbook('ciso-alice'));
  return { dir, playbook: join(dir, 'pb.yaml'), stateDir: join(dir, 'st') };
}

async function waitingRun(stateDir: string, stepId: string): Promise<string> {
  for (;;) {
    const file = existsSync(join(stateDir, 'runs')) ? readdirSync(join(stateDir, 'runs')).find((f) => f.endsWith('.jsonl')) : undefined;
    if (file && readFileSync(join(stateDir, 'runs', file), 'utf8').includes(`"type":"step-start","stepId":"${stepId}"`))
      return file.replace(/\.jsonl$/, '');
    await sleep(50);
  }
}

test('signed: unsigned refused up front, a key not allowed refused by the run, the allowed signer approves; report --verify', async () => {
  const w = workspace();
  const run = runCli(['run', w.playbook, '--simulate', '--time-scale', '60', '--state-dir', w.stateDir]);
  const runId = await waitingRun(w.stateDir, 'security-signoff');
  const approve = (...extra: string[]) =>
    runCli(['approve', '--run', runId, '--step', 'security-signoff', '--state-dir', w.stateDir, ...extra]);
  const unsigned = await approve();
  assert.is(unsigned.code, 2);
  assert.match(unsigned.stderr, 'sign the decision with --sign-with KEY');
  const bob = await approve('--sign-with', join(w.dir, 'bob'));
  assert.is(bob.code, 0, bob.stderr);
  for (;;) {
    const status = await runCli(['status', '--run', runId, '--state-dir', w.stateDir]);
    if (status.stdout.includes('refused security-signoff+')) {
      assert.match(
        status.stdout,
        /refused security-signoff\+\w+\.json \(read \S+\): not signed by a key .*allowed_signers allows for this step's signers \(ciso-alice\)/,
      );
      break;
    }
    await sleep(100);
  }
  const alice = await approve('--sign-with', join(w.dir, 'alice'), '--reason', 'scans clean');
  assert.is(alice.code, 0, alice.stderr);
  const r = await run;
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /approved \(signed\) by ciso-alice \[ED25519 SHA256:\S+\] signed \S+, read \S+: scans clean/);
  const journal = readFileSync(join(w.stateDir, 'runs', `${runId}.jsonl`), 'utf8');
  assert.match(journal, /"type":"approval-refused","stepId":"security-signoff"/);
  assert.match(journal, /"type":"approval","stepId":"security-signoff","decision":"approved","by":"ciso-alice"/);

  const verified = await runCli(['report', runId, '--state-dir', w.stateDir, '--verify']);
  assert.is(verified.code, 0, verified.stderr);
  assert.match(verified.stdout, /security-signoff: verified: approved by ciso-alice \[ED25519 SHA256:\S+\] signed \S+, read \S+/);
  // A record edited afterwards (the signed reason changed) no longer verifies.
  const reportFile = join(w.stateDir, 'runs', `${runId}.report.json`);
  writeFileSync(reportFile, readFileSync(reportFile, 'utf8').replaceAll('scans clean', 'all fine'));
  const tampered = await runCli(['report', runId, '--state-dir', w.stateDir, '--verify']);
  assert.is(tampered.code, 1);
  assert.match(tampered.stdout, /security-signoff: FAILED: approved claimed by ciso-alice .*incorrect signature/);
});

test('--sign-with on a run whose playbook has no approvers, and ssh-keygen missing: refused up front (exit 2)', async () => {
  const w = workspace();
  writeFileSync(
    w.playbook,
    readFileSync(w.playbook, 'utf8')
      .replace(/approvers:\n {2}allowedSigners: \S+\n/, '')
      .replace(/approval: \{.*\}/, 'approval: "Scan the recovered VMs"'),
  );
  const missing = await runCli(['run', join(w.dir, 'signed.yaml'), '--simulate', '--state-dir', w.stateDir], {
    env: { RUNBOOK_SSH_KEYGEN: join(w.dir, 'no-ssh-keygen') },
  });
  assert.is(missing.code, 2);
  assert.match(
    missing.stderr,
    /approvers needs signed decisions, and \S+no-ssh-keygen is not installed: signed approvals need OpenSSH 8\.2 or later/,
  );
  const run = runCli(['run', w.playbook, '--simulate', '--time-scale', '60', '--state-dir', w.stateDir]);
  const runId = await waitingRun(w.stateDir, 'security-signoff');
  const signed = await runCli([
    'approve',
    '--run',
    runId,
    '--step',
    'security-signoff',
    '--state-dir',
    w.stateDir,
    '--sign-with',
    join(w.dir, 'alice'),
  ]);
  assert.is(signed.code, 2);
  assert.match(signed.stderr, 'has no approvers block, so the run takes unsigned decisions only');
  const plain = await runCli(['approve', '--run', runId, '--step', 'security-signoff', '--state-dir', w.stateDir]);
  assert.is(plain.code, 0, plain.stderr);
  const r = await run;
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /approved \(unsigned\) by \S+ via runbook approve, read \S+/);
});

test('run refuses a state dir other users can write, before anything is sent (exit 2, the path and the chmod)', async () => {
  const w = workspace();
  mkdirSync(w.stateDir);
  chmodSync(w.stateDir, 0o777);
  const r = await runCli(['run', w.playbook, '--simulate', '--state-dir', w.stateDir]);
  assert.is(r.code, 2);
  assert.match(r.stderr, `state dir ${w.stateDir} can be written by other users (mode 0777)`);
  assert.match(r.stderr, `chmod -R go-w ${w.stateDir}`);
  assert.not.ok(existsSync(join(w.stateDir, 'runs')), 'nothing started');
});

test('validate checks the approvers block: the file, every signer listed, the quorum', async () => {
  const w = workspace();
  const ok = await runCli(['validate', w.playbook]);
  assert.is(ok.code, 0, ok.stdout + ok.stderr);
  writeFileSync(w.playbook, playbook('ciso-alice, mallory').replace('quorum: 1', 'quorum: 3'));
  const bad = await runCli(['validate', w.playbook]);
  assert.is(bad.code, 2);
  assert.match(bad.stdout, /"mallory" is not a principal in \S+allowed_signers/);
  assert.match(bad.stdout, /quorum 3 can never be reached: only 2 signers listed/);
  writeFileSync(join(w.dir, 'approvers', 'allowed_signers'), 'ciso-alice ssh-ed25519\n');
  const broken = await runCli(['validate', w.playbook]);
  assert.match(broken.stdout, /allowed_signers:1: expected "principals \[options\] keytype key"/);
  writeFileSync(w.playbook, playbook('ciso-alice').replace('approvers/allowed_signers', 'nowhere/allowed_signers'));
  const missing = await runCli(['validate', w.playbook]);
  assert.match(missing.stdout, /cannot read the allowed-signers file \S+nowhere\/allowed_signers/);
});

test.run();
