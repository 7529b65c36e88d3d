// The exact mutating calls a run makes (API spec §4), as data for the plan. The executor
// sends the same requests through the typed client methods; these mirror them for display
// and for the never-twice bookkeeping.

import type { ApiCall, CdpFailoverSpec, FailoverPlanStartSpec } from '../api/types.js';

export function cdpFailoverCall(replicaId: string, vmId: string, spec: CdpFailoverSpec): ApiCall {
  return {
    method: 'POST',
    path: `/cdpReplicas/${replicaId}/vms/${vmId}?action=failover`,
    body: { kind: 'CdpFailoverStartSpec', spec },
    mutating: true,
  };
}

export function vappFailoverCall(vappId: string, spec: CdpFailoverSpec): ApiCall {
  return {
    method: 'POST',
    path: `/cdpReplica/vApps/${vappId}?action=failover`,
    body: { kind: 'CdpFailoverStartSpec', spec },
    mutating: true,
  };
}

export function planStartCall(planId: string, spec: FailoverPlanStartSpec): ApiCall {
  return {
    method: 'POST',
    path: `/failoverPlans/${planId}?action=start`,
    body: { kind: 'FailoverPlanManagementSpec', spec },
    mutating: true,
  };
}

export function planUndoCall(planId: string): ApiCall {
  return { method: 'POST', path: `/failoverPlans/${planId}?action=undo`, mutating: true };
}
