// The playbook most validation tests start from: each case edits a copy of it, then expects
// exact `line:col severity message` lines (diagnosticLines).
import { validateText } from '../../engine/playbook/validate.js';

/** What `runbook validate` says about `text`, as `line:col severity message` lines. */
export const diagnosticLines = (text: string) =>
  validateText('pb.yaml', text).diagnostics.map((d) => `${d.line}:${d.col} ${d.severity} ${d.message}`);

export const ERP_BASE = `version: 1
name: ERP failover
params:
  recoverTo: {type: datetime}
  site: {type: string, enum: [east, west], default: east}
steps:
  - id: preflight
    check: {cdpReplica: ERP-CDP, vms: [erp-db01], maxRpo: 15m}
  - id: database
    failover:
      cdpReplica: ERP-CDP
      vms: [erp-db01]
      restorePoint: {pointInTime: "\${params.recoverTo}"}
  - id: dns
    when: {param: site, equals: east}
    exec: {command: [echo, dns], undo: [echo, undo]}
`;
