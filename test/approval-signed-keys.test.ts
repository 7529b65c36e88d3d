// Signed approvals, the keys: allowed_signers lines as OpenSSH defines them (options,
// cert-authority, bad lines), a CA key that cannot sign as a plain key, and ssh-keygen
// missing or too old. Keys are made with the real ssh-keygen (helpers/signed-approvals.ts).
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { signDecision, writeSignedDecision } from '../engine/commands/approve-signed.js';
import { UsageError } from '../engine/errors.js';
import { parseAllowedSigners } from '../engine/playbook/allowed-signers.js';
import { createInbox, type Decision } from '../engine/state/approvals.js';
import { sshKeygenProblem } from '../engine/state/ssh-keygen.js';
import { alice, bob, carol, RUN, SHA, tmp } from './helpers/signed-approvals.js';

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

test.run();
