// The in-memory model the simulator serves (built by build-model.ts). It is deliberately
// small per VM (shared behaviour/history objects, no restore-point arrays: history.ts
// generates points on demand), so 10,000 VMs stay cheap.

import type { Role } from './types.js';

export interface BehaviourN {
  durationMs: number;
  fail?: string;
  neverFinish: boolean;
  operationFinishedMs: number;
}
export interface HistoryN {
  lagMs: number;
  /** 0: no application-consistent points. */
  appEveryMs: number;
  historyMs: number;
}
export interface ServerM {
  id: string;
  name: string;
  /** Fake vCenter instance id used in VmRef urns. */
  vcenterId: string;
}
export interface VmM {
  id: string;
  name: string;
  vmRef: string;
  behaviour: BehaviourN;
  history: HistoryN;
  failedOver: boolean;
}
export interface ReplicaM {
  id: string;
  name: string;
  policyId: string;
  server: ServerM;
  repository: { id: string; name: string };
  vms: VmM[];
  vmById: Map<string, VmM>;
}
export interface VAppM {
  id: string;
  name: string;
  vappRef: string;
  policyId: string;
  policyName: string;
  server: ServerM;
  vms: VmM[];
  vmById: Map<string, VmM>;
  behaviour: BehaviourN;
  history: HistoryN;
  failedOver: boolean;
}
export interface PlanM {
  id: string;
  name: string;
  description?: string;
  server: ServerM;
  vms: string[];
  behaviour: BehaviourN;
  active: boolean;
}
export interface ReplicaPointM {
  id: string;
  vm: string;
  server: ServerM;
  createdAt: number;
  behaviour: BehaviourN;
  failedOver: boolean;
}
export interface UserM {
  name: string;
  password: string;
  role: Role;
}
export interface Model {
  servers: ServerM[];
  replicas: ReplicaM[];
  replicaById: Map<string, ReplicaM>;
  vapps: VAppM[];
  vappById: Map<string, VAppM>;
  plans: PlanM[];
  planById: Map<string, PlanM>;
  points: ReplicaPointM[];
  pointById: Map<string, ReplicaPointM>;
  /** Keyed by lower-case name (Windows account names are case-insensitive). */
  users: Map<string, UserM>;
}
