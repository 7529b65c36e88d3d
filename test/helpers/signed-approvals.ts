// Shared setup for the signed-approval suites (approval-signed*.test.ts): ed25519 keys made
// here with the real ssh-keygen when this module loads (alice, bob, carol, and `old`, listed
// with a valid-before in the past), an allowed_signers file naming them, and world(): an
// approval gate of run RUN, playbook revision SHA, in a fresh state dir, with sign() to drop
// a decision signed by a key into that state dir.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { signDecision, writeSignedDecision } from '../../engine/commands/approve-signed.js';
import { createInbox, type Decision } from '../../engine/state/approvals.js';

export const tmp = mkdtempSync(join(tmpdir(), 'signed-'));
export const key = (name: string) => {
  const file = join(tmp, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', file]);
  return { file, pub: readFileSync(`${file}.pub`, 'utf8').split(' ').slice(0, 2).join(' ') };
};
export const alice = key('alice');
export const bob = key('bob');
export const carol = key('carol');
export const old = key('old');
const allowed = join(tmp, 'allowed_signers');
writeFileSync(
  allowed,
  `# approvers\nciso-alice ${alice.pub}\nsoc-bob ${bob.pub}\ncarol ${carol.pub}\nsoc-bob valid-before="20200101" ${old.pub}\n`,
);

export const RUN = '20261127T102233Z-3f9a';
export const SHA = 'a'.repeat(64);
let dirs = 0;
export function world(step: { signers?: string[]; quorum?: number } = {}) {
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
