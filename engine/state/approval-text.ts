// How the report views show an approval decision: signed or unsigned, who (the verified
// principal and key, or the decision file's owner), when signed and when read, and why.

import type { ApprovalRecord, StepReport } from './report-types.js';

/**
 * One line: `approved (signed) by ciso-alice [ED25519 SHA256:…] signed … read …: reason`.
 * `realTime`: the report's other times are simulated (a scaled rehearsal), so say these are not.
 */
export function approvalText(a: ApprovalRecord, realTime = false): string {
  const why = a.reason !== undefined ? `: ${a.reason}` : '';
  const real = realTime ? ' (real time)' : '';
  if (a.signed && a.signers && a.signers.length > 0) {
    const who = a.signers.map((s) => `${s.principal} [${s.fingerprint}] signed ${s.signedAt}`).join(', ');
    return `${a.decision} (signed) by ${who}, read ${a.readAt ?? a.at}${real}${why}`;
  }
  const claimed = a.claimedBy !== undefined ? ` (the file claims ${a.claimedBy})` : '';
  return `${a.decision} (unsigned) by ${a.by}${claimed} via ${a.via}, read ${a.readAt ?? a.at}${real}${why}`;
}

/** The decision, then each decision file the run refused: the lines a view lists under the step. */
export function approvalLines(s: Pick<StepReport, 'approval' | 'refusedDecisions'>, realTime = false): string[] {
  return [
    ...(s.refusedDecisions ?? []).map((r) => `refused ${r.file} (read ${r.at}): ${r.why}`),
    ...(s.approval ? [approvalText(s.approval, realTime)] : []),
  ];
}
