// Signed approval decisions with the real ssh-keygen (OpenSSH >= 8.2) and keys made here
// (helpers/signed-approvals.ts): approve, reject, wrong key, unlisted signer, replay from
// another run, an ssh-agent key, the same signer twice for a quorum of 2, a tampered reason,
// an expired key, garbage. allowed_signers parsing and ssh-keygen itself are
// approval-signed-keys.test.ts; the report views approval-signed-views.test.ts; the state
// dir safety check approval-signed-state-dir.test.ts.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { alice, bob, carol, key, old, RUN, tmp, world } from './helpers/signed-approvals.js';

test('approve: the signer principal, key fingerprint, signed time and time read are recorded', () => {
  const w = world();
  assert.equal(w.gate.poll(), { refused: [] });
  w.sign(alice, { reason: 'scans clean' });
  const r = w.gate.poll();
  assert.equal(r.refused, []);
  const d = r.decision!;
  assert.equal(
    { decision: d.decision, by: d.by, at: d.at, signed: d.signed, readAt: d.readAt, reason: d.reason },
    {
      decision: 'approved',
      by: 'ciso-alice',
      at: '2026-11-27T10:08:00.000Z',
      signed: true,
      readAt: '2026-11-27T10:09:00.000Z',
      reason: 'scans clean',
    },
  );
  assert.match(d.signers![0]!.fingerprint, /^ED25519 SHA256:\S+$/);
  assert.match(d.signers![0]!.signature, /BEGIN SSH SIGNATURE/);
});

test('reject: one allowed signer rejects the step', () => {
  const w = world({ quorum: 2 });
  w.sign(bob, { decision: 'rejected', reason: 'malware found' });
  const d = w.gate.poll().decision!;
  assert.equal([d.decision, d.by, d.reason], ['rejected', 'soc-bob', 'malware found']);
});

test('wrong key, unlisted signer, replay from another run, another playbook revision: refused with why, the gate keeps waiting', () => {
  const w = world();
  const stranger = key('stranger');
  w.sign(stranger);
  w.sign(carol); // in allowed_signers, but not one of this step's signers
  w.sign(alice, { runId: '20261126T080000Z-0001' });
  w.sign(alice, { sha: 'b'.repeat(64) });
  const r = w.gate.poll();
  assert.is(r.decision, undefined);
  const whys = r.refused.map((x) => x.why).sort();
  assert.is(whys.length, 4);
  assert.is(
    whys.filter((x) => /^not signed by a key .*allowed_signers allows for this step's signers \(ciso-alice, soc-bob\)/.test(x)).length,
    2,
  );
  assert.ok(
    whys.some((x) =>
      x.includes(
        'signed for run 20261126T080000Z-0001, not this run (20261127T102233Z-3f9a): a decision cannot be replayed from another run',
      ),
    ),
  );
  assert.ok(whys.some((x) => x.includes('signed for another revision of the playbook')));
  assert.equal(w.gate.poll(), { refused: [] }, 'each file refused once');
  w.sign(alice);
  assert.is(w.gate.poll().decision?.by, 'ciso-alice');
});

test('an ssh-agent key: --sign-with its .pub file', () => {
  const sock = join(tmp, 'agent.sock');
  const out = execFileSync('ssh-agent', ['-s', '-a', sock], { encoding: 'utf8' });
  const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(out)?.[1]);
  const before = process.env.SSH_AUTH_SOCK;
  try {
    execFileSync('ssh-add', ['-q', bob.file], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
    process.env.SSH_AUTH_SOCK = sock;
    // Only the public half beside it: the private key is in the agent alone.
    const only = mkdtempSync(join(tmpdir(), 'agent-only-'));
    writeFileSync(join(only, 'bob.pub'), readFileSync(`${bob.file}.pub`));
    const w = world();
    w.sign({ file: join(only, 'bob.pub') });
    assert.is(w.gate.poll().decision?.by, 'soc-bob');
  } finally {
    if (before === undefined) delete process.env.SSH_AUTH_SOCK;
    else process.env.SSH_AUTH_SOCK = before;
    if (pid > 0) process.kill(pid);
  }
});

test('quorum 2: the same signer twice does not count twice; a second signer completes it', () => {
  const w = world({ quorum: 2 });
  w.sign(alice, { reason: 'one' });
  w.sign(alice, { reason: 'again' });
  const r = w.gate.poll();
  assert.is(r.decision, undefined);
  assert.equal(
    r.refused.map((x) => x.why),
    ['ciso-alice has already approved: a quorum of 2 needs 2 distinct signers'],
  );
  w.sign(bob, { reason: 'two' });
  const d = w.gate.poll().decision!;
  assert.equal([d.decision, d.by, d.signers!.length], ['approved', 'ciso-alice, soc-bob', 2]);
});

test('a tampered reason (in the readable copy or in the signed text) is refused', () => {
  const w = world();
  const file = w.sign(alice, { reason: 'ok' });
  const d = JSON.parse(readFileSync(file, 'utf8'));
  writeFileSync(file, JSON.stringify({ ...d, reason: 'approved by the board' }));
  assert.match(w.gate.poll().refused[0]!.why, /reason differs from the signed one: edited after signing/);
  d.reason = 'approved by the board';
  d.signed.payload = d.signed.payload.replace('"reason":"ok"', '"reason":"approved by the board"');
  writeFileSync(file, JSON.stringify(d));
  const r = w.gate.poll();
  assert.is(r.decision, undefined);
  assert.match(r.refused[0]!.why, /Signature verification failed: incorrect signature/);
});

test('an expired key (valid-before), garbage, truncated and unsigned files: refused with a message, never approved', () => {
  const w = world();
  w.sign(old);
  const file = join(w.stateDir, 'approvals', RUN, 'signoff+garbage.json');
  writeFileSync(file, '\u0000\u0001garbage');
  writeFileSync(join(w.stateDir, 'approvals', RUN, 'signoff+trunc.json'), '{"decision":"approved","signed":{"payload":"{\\"format');
  writeFileSync(
    join(w.stateDir, 'approvals', RUN, 'signoff.json'),
    '{"decision":"approved","by":"ciso-alice","at":"2026-11-27T10:00:00Z"}',
  );
  const r = w.gate.poll();
  assert.is(r.decision, undefined);
  const whys = r.refused.map((x) => x.why).join('\n');
  assert.match(whys, /key has expired/);
  assert.match(whys, /not a decision file \(garbage or truncated JSON\)/);
  assert.match(whys, /unsigned: this playbook's approvers block accepts only decisions signed with runbook approve --sign-with KEY/);
  assert.is(r.refused.length, 4);
});

test.run();
