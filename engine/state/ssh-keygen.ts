// Signing and verifying approval decisions with OpenSSH's `ssh-keygen -Y sign|verify`
// (OpenSSH 8.2 and later), the way git signs commits with SSH keys. Keys and the trust in
// them stay in OpenSSH's hands: a key file or an ssh-agent key (give its .pub file), and an
// allowed-signers file in the playbook's repository. Our own namespace keeps a signature
// made for something else (a git commit, a file) from counting as an approval.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const APPROVAL_NAMESPACE = 'cdp-runbook-approval@v1';

/** The ssh-keygen to run: RUNBOOK_SSH_KEYGEN (e.g. a newer OpenSSH's), else the one on PATH. */
export function sshKeygenBin(env: Record<string, string | undefined> = process.env): string {
  return env.RUNBOOK_SSH_KEYGEN || 'ssh-keygen';
}

/** Why signatures cannot be made or checked here, or undefined when ssh-keygen can. */
export function sshKeygenProblem(bin: string): string | undefined {
  // With too few arguments a -Y capable ssh-keygen names the missing one; older ones reject -Y.
  const r = spawnSync(bin, ['-Y', 'verify'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    return missing
      ? `${bin} is not installed: signed approvals need OpenSSH 8.2 or later (Debian/Ubuntu: apt-get install openssh-client)`
      : `${bin} could not be run: ${r.error.message}`;
  }
  if (/too few arguments|missing namespace/i.test(r.stderr)) return undefined;
  return `${bin} has no -Y sign/verify (OpenSSH older than 8.2): install OpenSSH 8.2 or later, or point RUNBOOK_SSH_KEYGEN at one`;
}

/** The armored SSH signature of `payload`; throws Error with ssh-keygen's words on failure. */
export function sshSign(bin: string, keyFile: string, payload: string): string {
  const r = spawnSync(bin, ['-Y', 'sign', '-n', APPROVAL_NAMESPACE, '-f', keyFile], {
    input: payload,
    encoding: 'utf8',
    timeout: 120_000,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (r.error) throw new Error(`${bin} could not be run: ${r.error.message}`);
  if (r.status !== 0 || !r.stdout.includes('BEGIN SSH SIGNATURE'))
    throw new Error(`${bin} -Y sign -f ${keyFile} failed: ${said(r.stderr) || `exit ${r.status}`}`);
  return r.stdout;
}

export type Verified = { ok: true; fingerprint: string } | { ok: false; why: string };

/**
 * Checks that `signature` is `principal`'s signature of `payload` under our namespace,
 * by a key the allowed-signers file lists for that principal (valid at `at`, when given:
 * re-verifying later, a key retired since still counts for what it signed before).
 */
export function sshVerify(
  bin: string,
  o: { allowedSigners: string; principal: string; payload: string; signature: string; at?: Date },
): Verified {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-sig-'));
  try {
    const sigFile = join(dir, 'decision.sig');
    writeFileSync(sigFile, o.signature);
    const args = ['-Y', 'verify', '-f', o.allowedSigners, '-I', o.principal, '-n', APPROVAL_NAMESPACE, '-s', sigFile];
    if (o.at) args.push('-O', `verify-time=${sshTime(o.at)}`);
    const r = spawnSync(bin, args, { input: o.payload, encoding: 'utf8', timeout: 30_000 });
    if (r.error) return { ok: false, why: `${bin} could not be run: ${r.error.message}` };
    const fingerprint = /with \S+ key (\S+)/.exec(r.stdout)?.[1];
    if (r.status === 0 && fingerprint)
      return { ok: true, fingerprint: `${/with (\S+) key/.exec(r.stdout)?.[1] ?? ''} ${fingerprint}`.trim() };
    return { ok: false, why: said(r.stderr) || said(r.stdout) || `ssh-keygen exit ${r.status}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** YYYYMMDDHHMMSSZ, as ssh-keygen's verify-time takes it. */
function sshTime(d: Date): string {
  return `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

/** ssh-keygen's message, one line, printable only, without its chatter. */
function said(text: string): string {
  return text
    .split('\n')
    .map((l) => l.replace(/[^\x20-\x7e]/g, '').trim())
    .filter((l) => l !== '' && !/^Signing data on standard input/.test(l))
    .join('; ')
    .slice(0, 300);
}
