// `runbook report --verify`: each signed approval of a finished run checked again, offline,
// from what the journal kept (the signed text and the signature) against the allowed-signers
// file, as of the time the run read it (a key retired since still counts for what it signed
// before; one that was not valid then does not).

import { parsePayload, payloadMismatch } from './approval-payload.js';
import type { RunReport } from './report-types.js';
import { sshVerify } from './ssh-keygen.js';

export interface AuditLine {
  stepId: string;
  ok: boolean;
  text: string;
}

export function auditApprovals(report: RunReport, o: { allowedSigners: string | undefined; sshKeygen: string }): AuditLine[] {
  const lines: AuditLine[] = [];
  for (const step of report.steps) {
    const a = step.approval;
    if (!a) continue;
    if (!a.signed) {
      lines.push({
        stepId: step.id,
        ok: true,
        text: `unsigned: ${a.decision} by ${a.by} (the decision file's owner), read ${a.readAt ?? a.at}: nothing to verify`,
      });
      continue;
    }
    if (o.allowedSigners === undefined) {
      lines.push({
        stepId: step.id,
        ok: false,
        text: 'signed, but no allowed-signers file to check it against: pass --allowed-signers FILE',
      });
      continue;
    }
    for (const s of a.signers ?? []) {
      const p = parsePayload(s.payload);
      const why =
        'problem' in p
          ? p.problem
          : (payloadMismatch(p, { runId: report.runId, stepId: step.id, playbookSha256: report.playbook.sha256 }) ??
            (p.decision !== s.decision || p.decision !== a.decision
              ? `the signed text says ${p.decision}, the record ${a.decision}`
              : undefined));
      const readAt = new Date(s.readAt);
      const r =
        why === undefined
          ? sshVerify(o.sshKeygen, {
              allowedSigners: o.allowedSigners,
              principal: s.principal,
              payload: s.payload,
              signature: s.signature,
              ...(Number.isNaN(readAt.getTime()) ? {} : { at: readAt }),
            })
          : { ok: false as const, why };
      lines.push(
        r.ok
          ? {
              stepId: step.id,
              ok: true,
              text: `verified: ${s.decision} by ${s.principal} [${r.fingerprint}] signed ${s.signedAt}, read ${s.readAt}`,
            }
          : { stepId: step.id, ok: false, text: `FAILED: ${s.decision} claimed by ${s.principal} [${s.fingerprint}]: ${r.why}` },
      );
    }
  }
  return lines;
}
