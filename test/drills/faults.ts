// The fault matrix: each drill is a simulator fault (or a VM behaviour) injected into the
// standard 20-VM, two-step fan-out, with what the run is expected to end as. Paths are the
// simulator's fault regexes (relative to /api, query included).

import type { DrillSpec } from './scenario.js';
import { REPLICA } from './scenario.js';

export interface Drill extends Omit<DrillSpec, 'media' | 'name'> {
  fault: string;
  /** The exit code the run must end with (the invariants hold either way). */
  exit: 0 | 1 | 4;
  /** VMs that must end `unknown` (everything else must be decided). */
  unknown?: number;
  /** Also run in JSON (every drill runs in XML). */
  json?: boolean;
}

const FAILOVER = 'action=failover';
const burst = (n: number) => ({ kind: 'status' as const, status: 503, times: n, message: 'The service is temporarily overloaded' });

export const DRILLS: Drill[] = [
  { fault: '503 burst on logon', faults: [{ ...burst(3), method: 'POST', path: '^/sessionMngr' }], exit: 0, json: true },
  { fault: '503 burst on replica lookup', faults: [{ ...burst(3), method: 'GET', path: '^/(cdpReplicas|query)(\\?|$)' }], exit: 0, json: true },
  { fault: '503 burst on VM lookups', faults: [{ ...burst(3), method: 'GET', path: '/vms(\\?|$)' }], exit: 0, json: true },
  { fault: '503 burst on failover POST', faults: [{ ...burst(4), method: 'POST', path: FAILOVER }], exit: 0, json: true },
  { fault: '503 burst on GET /tasks', faults: [{ ...burst(4), method: 'GET', path: '^/tasks' }], exit: 0, json: true },
  { fault: '503 burst on DELETE task', faults: [{ ...burst(3), method: 'DELETE', path: '^/tasks/' }], exit: 0, json: true },
  { fault: '503 burst on restore session', faults: [{ ...burst(3), method: 'GET', path: '^/restoreSessions/' }], exit: 0, json: true },
  { fault: 'reset before failover POST processed', faults: [{ kind: 'reset-before', method: 'POST', path: FAILOVER, nth: 3 }], exit: 1, unknown: 1, json: true },
  { fault: 'reset after failover POST processed', faults: [{ kind: 'reset-after', method: 'POST', path: FAILOVER, nth: 3 }], exit: 1, unknown: 1, json: true },
  // Tasks belong to the logon session that started them (API spec §5): once it expires,
  // EM itself makes them unreachable. The run cannot know their outcome: those VMs must be
  // reported `unknown` and listed for a manual check (4 in flight while polling; vm05–09
  // in flight when the 10th POST met the expired session).
  { fault: 'session expiry while polling', faults: [{ kind: 'expire-session', method: 'GET', path: '^/tasks$', nth: 2 }], exit: 1, unknown: 4, json: true },
  { fault: 'session expiry mid fan-out', faults: [{ kind: 'expire-session', method: 'POST', path: FAILOVER, nth: 10 }], exit: 1, unknown: 5, json: true },
  { fault: 'logon fails transiently', faults: [{ kind: 'reset-before', method: 'POST', path: '^/sessionMngr', nth: 1 }, { kind: 'status', status: 503, method: 'POST', path: '^/sessionMngr', nth: 2 }], exit: 0, json: true },
  { fault: 'logon fails for good (401 each time)', faults: [{ kind: 'status', status: 401, method: 'POST', path: '^/sessionMngr', message: 'Login failed' }], exit: 4 },
  { fault: 'Success="false" for 1 VM of 20', faults: [], vms: { vm13: { fail: 'Cannot lock the replica: disk is in use' } }, exit: 1, json: true },
  { fault: 'Success="false" for 1 of 20 (rollback)', faults: [], vms: { vm13: { fail: 'Cannot lock the replica: disk is in use' } }, onFailure: 'rollback', exit: 1 },
  {
    fault: 'task stuck past the step timeout',
    faults: [],
    vms: { vm07: { neverFinish: true } },
    steps: `  - id: db\n    failover: {cdpReplica: ${REPLICA}, vms: [vm01, vm02, vm03, vm04]}\n  - id: app\n    timeout: 5m\n    failover: {cdpReplica: ${REPLICA}, vms: [vm05, vm06, vm07, vm08], concurrency: 4}\n`,
    exit: 1,
    json: true,
  },
  { fault: 'long OperationFinished phase (10m)', faults: [{ kind: 'task-operation-finished', method: 'POST', path: FAILOVER, nth: [1, 7], delay: '10m' }], exit: 0, json: true },
  { fault: 'malformed body on GET /tasks', faults: [{ kind: 'malformed', method: 'GET', path: '^/tasks$', nth: 2 }], exit: 0, json: true },
  { fault: 'malformed body on failover 202', faults: [{ kind: 'malformed', method: 'POST', path: FAILOVER, nth: 2 }], exit: 1, unknown: 1, json: true },
  { fault: 'truncated body on GET /tasks', faults: [{ kind: 'truncate', method: 'GET', path: '^/tasks$', nth: 3 }], exit: 0, json: true },
  { fault: 'truncated body on failover 202', faults: [{ kind: 'truncate', method: 'POST', path: FAILOVER, nth: 5 }], exit: 1, unknown: 1, json: true },
  // The logon is not retried on a garbled answer: the run stops before any failover.
  { fault: 'malformed logon body', faults: [{ kind: 'malformed', method: 'POST', path: '^/sessionMngr', nth: 1 }], exit: 1 },
  { fault: 'UTF-8 BOM on every body', faults: [{ kind: 'bom' }], exit: 0, json: true },
  {
    fault: 'GET /tasks slower than the request timeout',
    faults: [{ kind: 'hang', method: 'GET', path: '^/tasks$', nth: 2 }],
    requestTimeout: '200ms',
    clock: 'scaled',
    exit: 0,
  },
  {
    fault: 'failover POST slower than the request timeout',
    faults: [{ kind: 'hang', method: 'POST', path: FAILOVER, nth: 2 }],
    requestTimeout: '200ms',
    clock: 'scaled',
    exit: 1,
    unknown: 1,
  },
  {
    // On the leaping clock the hung poll lasts past the 30m step timeout: the db tasks
    // finish (30s) while nobody can see them, then the step times out and stops them.
    fault: 'EM unresponsive past the step timeout (session expires meanwhile)',
    faults: [{ kind: 'hang', method: 'GET', path: '^/tasks$', nth: 2 }],
    requestTimeout: '200ms',
    exit: 1,
  },
  { fault: '500 on a failover POST', faults: [{ kind: 'status', status: 500, method: 'POST', path: FAILOVER, nth: 6, message: 'Internal error' }], exit: 1 },
];
