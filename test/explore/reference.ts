// The explorer's reference set beyond the generated `small` and `two-tier` (issue #20): the
// shipped example that runs against the simulator's demo inventory, and a mix playbook. A
// schedule's fail and poll become the playbook's defaults, conc its default concurrency (a
// step's own concurrency stays), dur every failover's duration.
//
// Shipped examples: only playbooks/erp-tiered-failover.yaml names what the demo inventory
// has (ERP-CDP and its four VMs). failover-plan-dns-cutover.yaml needs plan SHOP-DR,
// ransomware-point-in-time.yaml FIN-CDP (and a --param recoverTo), vapp-parallel.yaml
// ANALYTICS-VAPP and REPORTING-CDP: none of them exists in the demo inventory.

import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { demoInventory } from '../../engine/simulator/index.js';
import { PASSWORD, USER, type DrillSpec } from '../drills/scenario.js';
import type { Schedule } from './schedule.js';

const FILES = {
  erp: new URL('../../playbooks/erp-tiered-failover.yaml', import.meta.url),
  mix: new URL('./mix.yaml', import.meta.url),
} as const;
export type FilePlaybook = keyof typeof FILES;
export const FILE_PLAYBOOKS = Object.keys(FILES) as FilePlaybook[];

/** Approval steps decided ahead (`runbook run --approve`), per playbook. */
const APPROVE: Record<FilePlaybook, string[]> = { erp: [], mix: ['signoff'] };

const texts = new Map<FilePlaybook, string>();

/** The playbook text (with the schedule's settings), the demo inventory and the approvals of a file playbook. */
export function referenceSpec(pb: FilePlaybook, s: Schedule): Pick<DrillSpec, 'playbook' | 'inventory' | 'approve'> {
  const text = texts.get(pb) ?? readFileSync(FILES[pb], 'utf8');
  texts.set(pb, text);
  const doc = parseDocument(text);
  // The drill's client talks to the in-process simulator: the file's url, credentials and
  // TLS settings do not apply (and its caFile is not there).
  doc.set('server', { media: s.media, timeout: '30s' });
  doc.setIn(['defaults', 'onFailure'], s.onFailure);
  doc.setIn(['defaults', 'pollInterval'], s.poll);
  doc.setIn(['defaults', 'concurrency'], s.conc);
  const inventory = demoInventory({ name: USER, password: PASSWORD });
  inventory.defaults = { ...inventory.defaults, failoverDuration: s.dur };
  return { playbook: doc.toString(), inventory, approve: APPROVE[pb] };
}
