// The simulator's public surface (user docs: README, "The Enterprise Manager simulator").

export { createSimulator, DEFAULT_SESSION_IDLE_MS } from './handler.js';
export { startSimulatorServer } from './server.js';
export { toResponse } from './reply.js';
export type { Reply, SimRequest } from './reply.js';
export type { ServerOptions, RunningServer } from './server.js';
export { inventoryFromPlaybook } from './from-playbook.js';
export { demoInventory, DEMO_ADMIN, DEMO_USERS } from './demo.js';
export { loadInventory, validateInventory } from './inventory.js';
export { inventoryCounts, inventoryLines } from './inventory-listing.js';
export { uuidFromName } from './ids.js';
export type {
  Behaviour,
  DurationInput,
  FaultKind,
  FaultSpec,
  HistorySpec,
  Inventory,
  RequestLogEntry,
  Role,
  SimState,
  SimTaskState,
  SimVmState,
  Simulator,
  SimulatorOptions,
  WrittenCdpReplica,
  WrittenPlan,
  WrittenReplicaPoint,
  WrittenUser,
  WrittenVApp,
  WrittenVm,
} from './types.js';
