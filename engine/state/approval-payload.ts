// What an approver signs: one line of JSON binding the decision to one run, one step and one
// playbook revision, so a signature cannot be replayed elsewhere. The decision file carries
// the exact signed text beside the signature; readers trust only that text.

export interface SignedPayload {
  format: typeof PAYLOAD_FORMAT;
  runId: string;
  stepId: string;
  playbookSha256: string;
  decision: 'approved' | 'rejected';
  reason?: string;
  /** ISO 8601, the signer's clock. */
  signedAt: string;
}

export const PAYLOAD_FORMAT = 'cdp-runbook-approval/1';

/** The text signed: keys in a fixed order, so the same decision always reads the same. */
export function payloadText(p: Omit<SignedPayload, 'format'>): string {
  const ordered: SignedPayload = {
    format: PAYLOAD_FORMAT,
    runId: p.runId,
    stepId: p.stepId,
    playbookSha256: p.playbookSha256,
    decision: p.decision,
    ...(p.reason !== undefined ? { reason: p.reason } : {}),
    signedAt: p.signedAt,
  };
  return JSON.stringify(ordered);
}

/** The payload in this text, or why it is not one. */
export function parsePayload(text: string): SignedPayload | { problem: string } {
  let p: Partial<SignedPayload>;
  try {
    p = JSON.parse(text) as Partial<SignedPayload>;
  } catch {
    return { problem: 'the signed text is not JSON' };
  }
  if (typeof p !== 'object' || p === null || p.format !== PAYLOAD_FORMAT)
    return { problem: `the signed text is not a ${PAYLOAD_FORMAT} decision` };
  for (const key of ['runId', 'stepId', 'playbookSha256', 'signedAt'] as const) {
    if (typeof p[key] !== 'string') return { problem: `the signed text has no ${key}` };
  }
  if (p.decision !== 'approved' && p.decision !== 'rejected') return { problem: 'the signed text decides neither approved nor rejected' };
  if (p.reason !== undefined && typeof p.reason !== 'string') return { problem: 'the signed reason is not text' };
  if (Number.isNaN(Date.parse(p.signedAt!))) return { problem: 'the signed time is not a time' };
  return p as SignedPayload;
}

/** Why this payload is not for this gate, or undefined when it is. */
export function payloadMismatch(p: SignedPayload, gate: { runId: string; stepId: string; playbookSha256: string }): string | undefined {
  if (p.runId !== gate.runId)
    return `signed for run ${p.runId}, not this run (${gate.runId}): a decision cannot be replayed from another run`;
  if (p.stepId !== gate.stepId) return `signed for step "${p.stepId}", not "${gate.stepId}"`;
  if (p.playbookSha256 !== gate.playbookSha256)
    return (
      `signed for another revision of the playbook (sha256 ${p.playbookSha256.slice(0, 12)}…, ` +
      `this run's is ${gate.playbookSha256.slice(0, 12)}…)`
    );
  return undefined;
}
