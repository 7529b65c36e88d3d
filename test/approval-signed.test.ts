// Signed approval decisions with the real ssh-keygen (OpenSSH >= 8.2) and keys made here:
// approve, reject, wrong key, unlisted signer, replay from another run, the same signer
// twice for a quorum of 2, a tampered reason, an expired key, cert-authority lines,
// garbage, and ssh-keygen missing or too old. Plus the state dir safety check.
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { signDecision, writeSignedDecision } from '../engine/commands/approve-signed.js';
import { UsageError } from '../engine/errors.js';
import { parseAllowedSigners } from '../engine/playbook/allowed-signers.js';
import { createInbox, type Decision } from '../engine/state/approvals.js';
import { refuseUnsafeStateDir } from '../engine/state/state-dir-safety.js';
import { sshKeygenProblem } from '../engine/state/ssh-keygen.js';

const tmp = mkdtempSync(join(tmpdir(), 'signed-'));
const key = (name: string) => {
  const file = join(tmp, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', file]);
  return { file, pub: readFileSync(`${file}.pub`, 'utf8').split(' ').slice(0, 2).join(' ') };
};
const alice = key('alice');
const bob = key('bob');
const carol = key('carol');
const old = key('old');
const allowed = join(tmp, 'allowed_signers');
writeFileSync(
  allowed,
  `# approvers\nciso-alice ${alice.pub}\nsoc-bob ${bob.pub}\ncarol ${carol.pub}\nsoc-bob valid-before="20200101" ${old.pub}\n`,
);

const RUN = '20261127T102233Z-3f9a';
const SHA = 'a'.repeat(64);
let dirs = 0;
function world(step: { signers?: string[]; quorum?: number } = {}) {
  const stateDir = join(tmp, `state${++dirs}`);
  const inbox = createInbox({
    ahead: new Map(),
    stateDir,
    runId: RUN,
    playbookSha256: SHA,
    allowedSigners: allowed,
    sshKeygen: 'ssh-keygen',
    now: () => '2026-11-27T10:09:00.000Z',
  });
  const gate = inbox.open({ id: 'signoff', quorum: step.quorum ?? 1, signers: step.signers ?? ['ciso-alice', 'soc-bob'] });
  const sign = (k: { file: string }, o: { decision?: 'approved' | 'rejected'; reason?: string; runId?: string; sha?: string } = {}) => {
    const d: Decision = {
      decision: o.decision ?? 'approved',
      by: 'someone',
      at: '2026-11-27T10:08:00.000Z',
      via: 'runbook approve',
      ...(o.reason !== undefined ? { reason: o.reason } : {}),
    };
    const signed = signDecision(d, {
      key: k.file,
      runId: o.runId ?? RUN,
      stepId: 'signoff',
      playbookSha256: o.sha ?? SHA,
      sshKeygen: 'ssh-keygen',
    });
    return writeSignedDecision(stateDir, RUN, 'signoff', signed);
  };
  return { stateDir, gate, sign };
}

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

test('allowed-signers lines as OpenSSH defines them: options, cert-authority, bad lines named by number', () => {
  const p = parseAllowedSigners(
    `a@x,b@x namespaces="git,cdp-runbook-approval@v1",valid-after="20260101" ${alice.pub} comment\n*@corp cert-authority ${bob.pub}\n\nbroken\nc@x ssh-ed25519 !!!\nd@x valid-before="soon" ${carol.pub}\n`,
  );
  assert.equal(
    p.signers.map((s) => [s.line, s.principals, s.certAuthority, s.validAfter]),
    [
      [1, ['a@x', 'b@x'], false, '20260101'],
      [2, ['*@corp'], true, undefined],
    ],
  );
  assert.equal(
    p.problems.map((x) => x.line),
    [4, 5, 6],
  );
  assert.match(p.problems[2]!.message, /valid-before="soon" is not a time/);
});

test('a cert-authority line does not let the CA key sign as a plain key', () => {
  const caFile = join(tmp, 'ca_signers');
  writeFileSync(caFile, `ciso-alice cert-authority ${alice.pub}\n`);
  const stateDir = join(tmp, 'ca-state');
  const gate = createInbox({
    ahead: new Map(),
    stateDir,
    runId: RUN,
    playbookSha256: SHA,
    allowedSigners: caFile,
    sshKeygen: 'ssh-keygen',
    now: () => 'now',
  }).open({ id: 'signoff', quorum: 1 });
  const d: Decision = { decision: 'approved', by: 'x', at: '2026-11-27T10:08:00.000Z', via: 'runbook approve' };
  writeSignedDecision(
    stateDir,
    RUN,
    'signoff',
    signDecision(d, { key: alice.file, runId: RUN, stepId: 'signoff', playbookSha256: SHA, sshKeygen: 'ssh-keygen' }),
  );
  const r = gate.poll();
  assert.is(r.decision, undefined);
  assert.match(r.refused[0]!.why, /^not signed by a key/);
});

test('ssh-keygen missing or older than 8.2 (no -Y): a clear message, nothing signed', () => {
  assert.match(sshKeygenProblem(join(tmp, 'no-such-ssh-keygen')) ?? '', /is not installed: signed approvals need OpenSSH 8.2 or later/);
  const fake = join(tmp, 'old-ssh-keygen');
  writeFileSync(fake, '#!/bin/sh\necho "ssh-keygen: unknown option -- Y" >&2\nexit 1\n');
  chmodSync(fake, 0o755);
  assert.match(sshKeygenProblem(fake) ?? '', /has no -Y sign\/verify \(OpenSSH older than 8\.2\)/);
  assert.is(sshKeygenProblem('ssh-keygen'), undefined);
  const d: Decision = { decision: 'approved', by: 'x', at: 'now', via: 'runbook approve' };
  assert.throws(
    () => signDecision(d, { key: alice.file, runId: RUN, stepId: 's', playbookSha256: SHA, sshKeygen: fake }),
    (e: Error) => e instanceof UsageError && /--sign-with: .*older than 8\.2/.test(e.message),
  );
});

test('state dir safety: writable by others or owned by another user is refused with the path and the fix', () => {
  const dir = '/srv/dr/.runbook';
  const passwd = () =>
    new Map([
      [1000, 'ops'],
      [1001, 'mallory'],
    ]);
  const stat =
    (mode: number, uid = 1000) =>
    (p: string) =>
      p === dir
        ? { mode: 0o40000 | mode, uid }
        : (() => {
            throw new Error('ENOENT');
          })();
  assert.not.throws(() => refuseUnsafeStateDir(dir, { stat: stat(0o700), uid: 1000, passwd }));
  assert.throws(
    () => refuseUnsafeStateDir(dir, { stat: stat(0o777), uid: 1000, passwd }),
    (e: Error) =>
      e instanceof UsageError &&
      e.message.includes(`state dir ${dir} can be written by other users (mode 0777)`) &&
      e.message.includes(`chmod -R go-w ${dir}`),
  );
  assert.throws(() => refuseUnsafeStateDir(dir, { stat: stat(0o770), uid: 1000, passwd }), /mode 0770/);
  assert.throws(
    () => refuseUnsafeStateDir(dir, { stat: stat(0o700, 1001), uid: 1000, passwd }),
    (e: Error) =>
      /state dir \/srv\/dr\/\.runbook is owned by mallory, not by you \(ops\).*chown -R ops \/srv\/dr\/\.runbook && chmod -R go-w/.test(
        e.message,
      ),
  );
  // A real world-writable folder, as `run` sees it.
  const real = mkdtempSync(join(tmpdir(), 'ww-'));
  chmodSync(real, 0o777);
  assert.throws(() => refuseUnsafeStateDir(real), /can be written by other users \(mode 0777\)/);
});

test('every view says signed or unsigned, who, the key, when signed and when read, why, and refused files', async () => {
  const { partlyFailedReport } = await import('./helpers/report-fixture.js');
  const { renderJunit } = await import('../engine/report/junit.js');
  const { renderGithubSummary } = await import('../engine/report/github-summary.js');
  const { renderHtmlReport } = await import('../engine/report/html/render.js');
  const report = partlyFailedReport();
  const signer = {
    principal: 'ciso-alice',
    fingerprint: 'ED25519 SHA256:abc',
    signedAt: '2026-11-27T10:08:00Z',
    readAt: '2026-11-27T10:09:00Z',
    decision: 'approved' as const,
    reason: 'clean',
    payload: '{}',
    signature: 'sig',
  };
  report.steps.push(
    {
      id: 'signoff',
      name: 'signoff',
      kind: 'approval',
      outcome: 'succeeded',
      refusedDecisions: [{ at: '2026-11-27T10:07:00Z', file: 'signoff+1.json', why: 'not signed by a key' }],
      approval: {
        decision: 'approved',
        by: 'ciso-alice',
        at: signer.signedAt,
        via: 'runbook approve --sign-with',
        reason: 'clean',
        signed: true,
        readAt: signer.readAt,
        signers: [signer],
      },
    },
    {
      id: 'dba',
      name: 'dba',
      kind: 'approval',
      outcome: 'succeeded',
      approval: {
        decision: 'approved',
        by: 'mallory',
        at: '2026-11-27T10:10:00Z',
        via: 'runbook approve',
        signed: false,
        readAt: '2026-11-27T10:10:00Z',
        claimedBy: 'ciso-alice',
      },
    },
  );
  const signedLine = 'approved (signed) by ciso-alice [ED25519 SHA256:abc] signed 2026-11-27T10:08:00Z, read 2026-11-27T10:09:00Z: clean';
  const unsignedLine = 'approved (unsigned) by mallory (the file claims ciso-alice) via runbook approve, read 2026-11-27T10:10:00Z';
  for (const [name, text] of [
    ['junit', renderJunit(report)],
    ['github', renderGithubSummary(report)],
    ['html', renderHtmlReport(report)],
  ] as const) {
    assert.ok(text.includes(signedLine), `${name}: signed line`);
    assert.ok(text.includes(unsignedLine), `${name}: unsigned line`);
    assert.ok(text.includes('refused signoff+1.json (read 2026-11-27T10:07:00Z): not signed by a key'), `${name}: refused file`);
  }
});

test.run();
