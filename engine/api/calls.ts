// The concrete API calls, as data: the plan prints them (with `encode`) and the client
// performs them. Paths are relative to the API root (spec §4).

import type { ApiCall, CdpFailoverSpec, FailoverPlanStartSpec } from './types.js';

const seg = encodeURIComponent;

export const calls = {
  listCdpReplicas: (): ApiCall => ({ method: 'GET', path: '/cdpReplicas', mutating: false }),
  getCdpReplica: (id: string): ApiCall => ({ method: 'GET', path: `/cdpReplicas/${seg(id)}?format=Entity`, mutating: false }),
  queryCdpReplicaByName: (name: string): ApiCall => ({
    method: 'GET',
    // EM's filter syntax is Name=="value" (§6.6); encode the whole expression.
    path: `/query?type=CdpReplica&filter=${seg(`Name=="${name}"`)}`,
    mutating: false,
  }),
  listCdpReplicaVms: (replicaId: string): ApiCall => ({
    method: 'GET',
    path: `/cdpReplicas/${seg(replicaId)}/vms`,
    mutating: false,
  }),
  getCdpReplicaVm: (replicaId: string, vmId: string): ApiCall => ({
    method: 'GET',
    path: `/cdpReplicas/${seg(replicaId)}/vms/${seg(vmId)}?format=Entity`,
    mutating: false,
  }),
  /** Read-only despite being a POST: retried like a GET. */
  cdpIntervals: (replicaId: string, vmId: string, start: string, end: string): ApiCall => ({
    method: 'POST',
    path: `/cdpReplicas/${seg(replicaId)}/vms/${seg(vmId)}?action=intervals`,
    body: { kind: 'CdpReplicaIntervalsSpec', start, end },
    mutating: false,
  }),
  failoverCdpVm: (replicaId: string, vmId: string, spec: CdpFailoverSpec): ApiCall => ({
    method: 'POST',
    path: `/cdpReplicas/${seg(replicaId)}/vms/${seg(vmId)}?action=failover`,
    body: { kind: 'CdpFailoverStartSpec', spec },
    mutating: true,
  }),

  listVappCdpReplicas: (): ApiCall => ({ method: 'GET', path: '/cdpReplica/vApps', mutating: false }),
  getVappCdpReplica: (id: string): ApiCall => ({
    method: 'GET',
    path: `/cdpReplica/vApps/${seg(id)}?format=Entity`,
    mutating: false,
  }),
  vappIntervals: (vappId: string, start: string, end: string): ApiCall => ({
    method: 'POST',
    path: `/cdpReplica/vApps/${seg(vappId)}?action=intervals`,
    body: { kind: 'CdpReplicaIntervalsSpec', start, end },
    mutating: false,
  }),
  failoverVapp: (vappId: string, spec: CdpFailoverSpec): ApiCall => ({
    method: 'POST',
    path: `/cdpReplica/vApps/${seg(vappId)}?action=failover`,
    body: { kind: 'CdpFailoverStartSpec', spec },
    mutating: true,
  }),

  listFailoverPlans: (): ApiCall => ({ method: 'GET', path: '/failoverPlans', mutating: false }),
  getFailoverPlan: (id: string): ApiCall => ({ method: 'GET', path: `/failoverPlans/${seg(id)}`, mutating: false }),
  startFailoverPlan: (planId: string, spec: FailoverPlanStartSpec): ApiCall => ({
    method: 'POST',
    path: `/failoverPlans/${seg(planId)}?action=start`,
    body: { kind: 'FailoverPlanManagementSpec', spec },
    mutating: true,
  }),
  undoFailoverPlan: (planId: string): ApiCall => ({
    method: 'POST',
    path: `/failoverPlans/${seg(planId)}?action=undo`,
    mutating: true,
  }),
  failoverReplicaPoint: (pointId: string): ApiCall => ({
    method: 'POST',
    path: `/vmReplicaPoints/${seg(pointId)}?action=failover`,
    mutating: true,
  }),

  getTask: (taskId: string): ApiCall => ({ method: 'GET', path: `/tasks/${seg(taskId)}`, mutating: false }),
  listTasks: (): ApiCall => ({ method: 'GET', path: '/tasks', mutating: false }),
  // Mutating for the never-twice rule: a DELETE stops a task only while it runs, and on a
  // finished one makes EM forget the result. Re-sent after a lost answer it may meet the
  // task finished in between (the explorer's seed 2420), so it is re-sent only when EM
  // demonstrably did not process it.
  deleteTask: (taskId: string): ApiCall => ({ method: 'DELETE', path: `/tasks/${seg(taskId)}`, mutating: true }),
  logout: (sessionId: string): ApiCall => ({
    method: 'DELETE',
    path: `/logonSessions/${seg(sessionId)}`,
    mutating: false,
  }),
} as const;
