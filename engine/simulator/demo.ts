// The demo inventory `runbook sim` serves without --inventory: three CDP replicas with
// several VMs each, a vApp, a failover plan, a replica point, and one account per role.

import type { Inventory, WrittenUser } from './types.js';

/** The documented demo admin, used when VEEAM_EM_USERNAME/VEEAM_EM_PASSWORD are not set. */
export const DEMO_ADMIN = { name: 'runbook', password: 'runbook-demo' } as const;

/** Demo accounts for the other roles (403 on /cdpReplicas, §6.5). */
export const DEMO_USERS: WrittenUser[] = [
  { name: 'operator', password: 'operator-demo', role: 'Restore Operator' },
  { name: 'portal', password: 'portal-demo', role: 'Portal User' },
];

export function demoInventory(admin: { name: string; password: string } = DEMO_ADMIN): Inventory {
  return {
    backupServers: [{ name: 'vbr01.lab.local' }, { name: 'vbr02.lab.local' }],
    cdpReplicas: [
      {
        name: 'ERP-CDP',
        backupServer: 'vbr01.lab.local',
        history: { replicationLag: '10s', appConsistentEvery: '1h', history: '24h' },
        vms: ['erp-db01', 'erp-db02', 'erp-app01', 'erp-app02'],
      },
      {
        name: 'CRM-CDP',
        backupServer: 'vbr01.lab.local',
        vms: ['crm-db01', 'crm-web01', { name: 'crm-web02', failoverDuration: '8s' }],
      },
      {
        name: 'Files-CDP',
        backupServer: 'vbr02.lab.local',
        history: { replicationLag: '30s', appConsistentEvery: '4h', history: '48h' },
        vms: ['fs01', 'fs02'],
      },
    ],
    vApps: [{ name: 'web-vapp', backupServer: 'vbr02.lab.local', vms: ['web-vapp-lb', 'web-vapp-app'] }],
    failoverPlans: [
      { name: 'DNS cutover plan', description: 'Fails over the DNS servers', backupServer: 'vbr01.lab.local', vms: ['dns01', 'dns02'] },
    ],
    vmReplicaPoints: [{ vm: 'legacy-app01', backupServer: 'vbr01.lab.local' }],
    users: [{ name: admin.name, password: admin.password, role: 'Portal Administrator' }, ...DEMO_USERS],
  };
}
