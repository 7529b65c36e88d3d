// A signed approval gate: reads every decision file for the step, accepts only those signed
// (ssh-keygen -Y verify) by a key the playbook's allowed-signers file lists for one of the
// step's signers, over this run, this step and this playbook revision. Anything else is
// refused with why, once per file version, and the gate keeps waiting. An approval needs
// `quorum` distinct principals; one allowed signer's rejection rejects.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../errors.js';
import { parseAllowedSigners } from '../playbook/allowed-signers.js';
import { parsePayload, payloadMismatch, type SignedPayload } from './approval-payload.js';
import type { ApprovalRecord, ApprovalSigner } from './report-types.js';
import { sshVerify } from './ssh-keygen.js';

export interface GateRead {
  decision?: ApprovalRecord;
  /** Files refused since the last read. */
  refused: { file: string; why: string }[];
}

export interface SignedGateOptions {
  dir: string;
  runId: string;
  stepId: string;
  playbookSha256: string;
  allowedSigners: string;
  signers?: readonly string[];
  quorum: number;
  sshKeygen: string;
  /** The run's clock, ISO 8601. */
  now: () => string;
}

/** The decision files of a step: `<step>.json` and `<step>+<anything>.json` (one per signature). */
export function stepDecisionFiles(dir: string, stepId: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return []; // no decision yet: the folder is made with the first one
  }
  return names.filter((n) => n === `${stepId}.json` || (n.startsWith(`${stepId}+`) && n.endsWith('.json'))).sort();
}

export function signedGate(o: SignedGateOptions): { poll(): GateRead } {
  const judged = new Set<string>();
  const approvals: ApprovalSigner[] = [];
  return {
    poll() {
      const refused: GateRead['refused'] = [];
      for (const name of stepDecisionFiles(o.dir, o.stepId)) {
        const file = join(o.dir, name);
        const version = fileVersion(file);
        if (version === undefined || judged.has(version)) continue;
        judged.add(version);
        const verdict = judge(o, file);
        if ('why' in verdict) {
          refused.push({ file: name, why: verdict.why });
          continue;
        }
        if (verdict.decision === 'rejected') return { refused, decision: record(o, 'rejected', [verdict]) };
        if (approvals.some((a) => a.principal === verdict.principal)) {
          refused.push({
            file: name,
            why: `${verdict.principal} has already approved: a quorum of ${o.quorum} needs ${o.quorum} distinct signers`,
          });
          continue;
        }
        approvals.push(verdict);
        if (approvals.length >= o.quorum) return { refused, decision: record(o, 'approved', approvals) };
      }
      return { refused };
    },
  };
}

function record(o: SignedGateOptions, decision: 'approved' | 'rejected', signers: ApprovalSigner[]): ApprovalRecord {
  const reasons = signers.flatMap((s) => (s.reason !== undefined ? [signers.length > 1 ? `${s.principal}: ${s.reason}` : s.reason] : []));
  return {
    decision,
    by: signers.map((s) => s.principal).join(', '),
    at: signers[signers.length - 1]!.signedAt,
    via: 'runbook approve --sign-with',
    ...(reasons.length > 0 ? { reason: reasons.join('; ') } : {}),
    signed: true,
    readAt: o.now(),
    signers: [...signers],
  };
}

function fileVersion(file: string): string | undefined {
  try {
    const st = statSync(file);
    return `${file}:${st.size}:${st.mtimeMs}:${st.ino}`;
  } catch {
    return undefined;
  }
}

/** The verified signer of this file's decision, or why it is refused. */
function judge(o: SignedGateOptions, file: string): ApprovalSigner | { why: string } {
  let d: { decision?: unknown; reason?: unknown; signed?: { payload?: unknown; signature?: unknown } };
  try {
    d = JSON.parse(readFileSync(file, 'utf8')) as typeof d;
    if (typeof d !== 'object' || d === null) throw new Error('not an object');
  } catch {
    return { why: 'not a decision file (garbage or truncated JSON): remove it and decide again with runbook approve --sign-with KEY' };
  }
  const payload = d.signed?.payload;
  const signature = d.signed?.signature;
  if (typeof payload !== 'string' || typeof signature !== 'string') {
    return { why: "unsigned: this playbook's approvers block accepts only decisions signed with runbook approve --sign-with KEY" };
  }
  const p = parsePayload(payload);
  if ('problem' in p) return { why: p.problem };
  const mismatch = payloadMismatch(p, o) ?? edited(d, p);
  if (mismatch) return { why: mismatch };
  const verified = verifyAny(o, payload, signature);
  if ('why' in verified) return verified;
  return {
    principal: verified.principal,
    fingerprint: verified.fingerprint,
    signedAt: p.signedAt,
    readAt: o.now(),
    decision: p.decision,
    ...(p.reason !== undefined ? { reason: p.reason } : {}),
    payload,
    signature,
  };
}

/** The readable copy in the file must say what was signed. */
function edited(d: { decision?: unknown; reason?: unknown }, p: SignedPayload): string | undefined {
  if (d.decision !== undefined && d.decision !== p.decision)
    return `the file says ${String(d.decision)} but the signed text says ${p.decision}: edited after signing`;
  if ((d.reason ?? undefined) !== (p.reason ?? undefined)) return "the file's reason differs from the signed one: edited after signing";
  return undefined;
}

function verifyAny(o: SignedGateOptions, payload: string, signature: string): { principal: string; fingerprint: string } | { why: string } {
  let candidates: readonly string[];
  try {
    candidates =
      o.signers ??
      [...new Set(parseAllowedSigners(readFileSync(o.allowedSigners, 'utf8')).signers.flatMap((s) => s.principals))].filter(
        (p) => !/[*?!]/.test(p),
      );
  } catch (error) {
    return { why: `cannot read the allowed-signers file ${o.allowedSigners}: ${errorMessage(error)}` };
  }
  const said = new Set<string>();
  for (const principal of candidates) {
    const r = sshVerify(o.sshKeygen, { allowedSigners: o.allowedSigners, principal, payload, signature });
    if (r.ok) return { principal, fingerprint: r.fingerprint };
    if (!/^Could not verify signature\.?$/.test(r.why)) said.add(r.why);
  }
  const who = o.signers ? `this step's signers (${o.signers.join(', ')})` : 'any principal';
  const detail = said.size > 0 ? `: ${[...said].join('; ')}` : '';
  return { why: `not signed by a key ${o.allowedSigners} allows for ${who}${detail}` };
}
