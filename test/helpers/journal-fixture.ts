// Hand-made journals for status and rollback tests: what an engine killed mid-run leaves.
import { hostname } from 'node:os';
import type { JournalEntry } from '../../engine/state/journal-types.js';

export const CRASHED_RUN_ID = '20261127T102233Z-3f9a';

/**
 * A run of "ERP failover" killed during its failover step. Replica "CDP Policy ERP", 5 VMs:
 * - erp-db01: accepted (task-1), finished Success → failed over
 * - erp-app01: accepted (task-2), no result → in flight
 * - erp-app02: intent written, no answer → unknown
 * - erp-app03: request refused by EM (503, not processed) → failed, resolved
 * - erp-app04: request timed out after sending → unknown
 * plus a plan started (task-6) with no result → in flight.
 */
export function crashedRunEntries(options: {
  pid: number;
  host?: string;
  playbookFile?: string;
  simulated?: boolean;
  url?: string;
}): JournalEntry[] {
  const at = (s: number) => new Date(Date.parse('2026-11-27T10:22:33Z') + s * 1000).toISOString();
  const vm = (id: string) => `/cdpReplicas/r-erp/vms/${id}?action=failover`;
  return [
    {
      at: at(0),
      type: 'run-start',
      runId: CRASHED_RUN_ID,
      pid: options.pid,
      playbook: { name: 'ERP failover', file: options.playbookFile ?? '/srv/runbooks/erp.yaml', sha256: 'ab'.repeat(32) },
      params: { site: 'dr-east' },
      server: {
        url: options.url ?? 'https://em01.lab.local:9398',
        media: 'xml',
        simulated: options.simulated ?? false,
        username: 'dr-operator',
      },
      host: { hostname: options.host ?? hostname(), user: 'runner' },
    },
    { at: at(1), type: 'step-start', stepId: 'tiers', name: 'Tiers', kind: 'parallel' },
    { at: at(1), type: 'step-start', stepId: 'db-tier', name: 'Database tier', kind: 'failover', parentId: 'tiers' },
    {
      at: at(2),
      type: 'request-intent',
      stepId: 'db-tier',
      target: 'erp-db01',
      targetId: 'vm-1',
      method: 'POST',
      path: vm('vm-1'),
      replica: 'CDP Policy ERP',
      restorePoint: 'latest',
    },
    { at: at(3), type: 'request-accepted', stepId: 'db-tier', target: 'erp-db01', taskId: 'task-1' },
    { at: at(40), type: 'task-result', stepId: 'db-tier', target: 'erp-db01', taskId: 'task-1', success: true, message: 'Ok' },
    { at: at(41), type: 'step-end', stepId: 'db-tier', outcome: 'succeeded' },
    { at: at(41), type: 'step-start', stepId: 'app-tier', name: 'App tier', kind: 'failover', parentId: 'tiers' },
    {
      at: at(42),
      type: 'request-intent',
      stepId: 'app-tier',
      target: 'erp-app01',
      targetId: 'vm-2',
      method: 'POST',
      path: vm('vm-2'),
      replica: 'CDP Policy ERP',
      restorePoint: 'latest',
    },
    { at: at(43), type: 'request-accepted', stepId: 'app-tier', target: 'erp-app01', taskId: 'task-2' },
    {
      at: at(44),
      type: 'request-intent',
      stepId: 'app-tier',
      target: 'erp-app02',
      targetId: 'vm-3',
      method: 'POST',
      path: vm('vm-3'),
      replica: 'CDP Policy ERP',
      restorePoint: 'latest',
    },
    { at: at(45), type: 'request-intent', stepId: 'app-tier', target: 'erp-app03', targetId: 'vm-4', method: 'POST', path: vm('vm-4') },
    {
      at: at(46),
      type: 'request-failed',
      stepId: 'app-tier',
      target: 'erp-app03',
      unknown: false,
      error: 'POST … → 503 Service Unavailable',
    },
    {
      at: at(47),
      type: 'request-intent',
      stepId: 'app-tier',
      target: 'erp-app04',
      targetId: 'vm-5',
      method: 'POST',
      path: vm('vm-5'),
      replica: 'CDP Policy ERP',
    },
    { at: at(48), type: 'request-failed', stepId: 'app-tier', target: 'erp-app04', unknown: true, error: 'timed out after sending' },
    { at: at(49), type: 'event', kind: 'retry', stepId: 'app-tier', message: 'GET /tasks/task-2 → 503, retry 1' },
    { at: at(50), type: 'step-start', stepId: 'plan', name: 'Web plan', kind: 'failoverPlan', parentId: 'tiers' },
    {
      at: at(51),
      type: 'request-intent',
      stepId: 'plan',
      target: 'web-plan',
      targetId: 'fp-1',
      method: 'POST',
      path: '/failoverPlans/fp-1?action=start',
    },
    { at: at(52), type: 'request-accepted', stepId: 'plan', target: 'web-plan', taskId: 'task-6' },
  ];
}

export const toJsonl = (entries: JournalEntry[]) => entries.map((e) => `${JSON.stringify(e)}\n`).join('');
