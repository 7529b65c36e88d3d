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
/** The restore sessions cannot be read: a lost task's outcome stays unknown. */
const RS_DOWN = {
  kind: 'status' as const,
  status: 503,
  method: 'GET',
  path: '^/restoreSessions',
  message: 'The service is temporarily overloaded',
};
const burst = (n: number) => ({ kind: 'status' as const, status: 503, times: n, message: 'The service is temporarily overloaded' });

const TIMEOUT_STEPS = `  - id: db\n    failover: {cdpReplica: ${REPLICA}, vms: [vm01, vm02, vm03, vm04]}\n  - id: app\n    timeout: 5m\n    failover: {cdpReplica: ${REPLICA}, vms: [vm05, vm06, vm07, vm08], concurrency: 4}\n`;
const SIBLING_STEPS = `  - id: db\n    failover: {cdpReplica: ${REPLICA}, vms: [vm01, vm02, vm03, vm04]}\n  - id: app\n    failover: {cdpReplica: ${REPLICA}, vms: [vm05, vm06, vm07, vm08], concurrency: 4}\n`;
/** Every single-task read (GET /tasks/task-N) fails; the poller's GET /tasks still works. */
const FAILING_READS = {
  kind: 'status' as const,
  status: 503,
  method: 'GET',
  path: '^/tasks/task',
  message: 'The service is temporarily overloaded',
};
/** vm06 fails after 60 s: by then its siblings (30 s) are past their operation. */
const SLOW_FAIL = { fail: 'Cannot lock the replica: disk is in use', failoverDuration: '60s' };
const opFinished = (names: string[], phase: string) => Object.fromEntries(names.map((n) => [n, { operationFinishedFor: phase }]));

export const DRILLS: Drill[] = [
  { fault: '503 burst on logon', faults: [{ ...burst(3), method: 'POST', path: '^/sessionMngr' }], exit: 0, json: true },
  {
    fault: '503 burst on replica lookup',
    faults: [{ ...burst(3), method: 'GET', path: '^/(cdpReplicas|query)(\\?|$)' }],
    exit: 0,
    json: true,
  },
  { fault: '503 burst on VM lookups', faults: [{ ...burst(3), method: 'GET', path: '/vms(\\?|$)' }], exit: 0, json: true },
  { fault: '503 burst on failover POST', faults: [{ ...burst(4), method: 'POST', path: FAILOVER }], exit: 0, json: true },
  { fault: '503 burst on GET /tasks', faults: [{ ...burst(4), method: 'GET', path: '^/tasks' }], exit: 0, json: true },
  { fault: '503 burst on DELETE task', faults: [{ ...burst(3), method: 'DELETE', path: '^/tasks/' }], exit: 0, json: true },
  { fault: '503 burst on restore session', faults: [{ ...burst(3), method: 'GET', path: '^/restoreSessions/' }], exit: 0, json: true },
  {
    fault: 'reset before failover POST processed',
    faults: [{ kind: 'reset-before', method: 'POST', path: FAILOVER, nth: 3 }],
    exit: 1,
    unknown: 1,
    json: true,
  },
  // EM processed it but the answer was lost: the VM's restore session (found by VM name and
  // creation time, §6.4) says it is failed over; never a second POST to find out.
  {
    fault: 'reset after failover POST processed',
    faults: [{ kind: 'reset-after', method: 'POST', path: FAILOVER, nth: 3 }],
    exit: 0,
    json: true,
  },
  {
    fault: 'reset after failover POST processed, restore sessions unreadable',
    faults: [{ kind: 'reset-after', method: 'POST', path: FAILOVER, nth: 3 }, RS_DOWN],
    exit: 1,
    unknown: 1,
  },
  // Tasks belong to the logon session that started them (API spec §5): once it expires,
  // EM itself makes them unreachable. Their VMs' restore sessions still tell how each
  // failover ended (§6.4); when those cannot be read either, the run cannot know: those VMs
  // are `unknown` and listed for a manual check (4 in flight while polling; vm05–09 in
  // flight when the 10th POST met the expired session).
  {
    fault: 'session expiry while polling',
    faults: [{ kind: 'expire-session', method: 'GET', path: '^/tasks$', nth: 2 }],
    exit: 0,
    json: true,
  },
  {
    fault: 'session expiry while polling, restore sessions unreadable',
    faults: [{ kind: 'expire-session', method: 'GET', path: '^/tasks$', nth: 2 }, RS_DOWN],
    exit: 1,
    unknown: 4,
    json: true,
  },
  {
    fault: 'session expiry mid fan-out',
    faults: [{ kind: 'expire-session', method: 'POST', path: FAILOVER, nth: 10 }],
    exit: 0,
    json: true,
  },
  {
    fault: 'session expiry mid fan-out, restore sessions unreadable',
    faults: [{ kind: 'expire-session', method: 'POST', path: FAILOVER, nth: 10 }, RS_DOWN],
    exit: 1,
    unknown: 5,
  },
  {
    fault: 'logon fails transiently',
    faults: [
      { kind: 'reset-before', method: 'POST', path: '^/sessionMngr', nth: 1 },
      { kind: 'status', status: 503, method: 'POST', path: '^/sessionMngr', nth: 2 },
    ],
    exit: 0,
    json: true,
  },
  {
    fault: 'logon fails for good (401 each time)',
    faults: [{ kind: 'status', status: 401, method: 'POST', path: '^/sessionMngr', message: 'Login failed' }],
    exit: 4,
  },
  {
    fault: 'Success="false" for 1 VM of 20',
    faults: [],
    vms: { vm13: { fail: 'Cannot lock the replica: disk is in use' } },
    exit: 1,
    json: true,
  },
  {
    fault: 'Success="false" for 1 of 20 (rollback)',
    faults: [],
    vms: { vm13: { fail: 'Cannot lock the replica: disk is in use' } },
    onFailure: 'rollback',
    exit: 1,
  },
  {
    fault: 'task stuck past the step timeout',
    faults: [],
    vms: { vm07: { neverFinish: true } },
    steps: `  - id: db\n    failover: {cdpReplica: ${REPLICA}, vms: [vm01, vm02, vm03, vm04]}\n  - id: app\n    timeout: 5m\n    failover: {cdpReplica: ${REPLICA}, vms: [vm05, vm06, vm07, vm08], concurrency: 4}\n`,
    exit: 1,
    json: true,
  },
  {
    fault: 'long OperationFinished phase (10m)',
    faults: [{ kind: 'task-operation-finished', method: 'POST', path: FAILOVER, nth: [1, 7], delay: '10m' }],
    exit: 0,
    json: true,
  },
  { fault: 'malformed body on GET /tasks', faults: [{ kind: 'malformed', method: 'GET', path: '^/tasks$', nth: 2 }], exit: 0, json: true },
  { fault: 'malformed body on failover 202', faults: [{ kind: 'malformed', method: 'POST', path: FAILOVER, nth: 2 }], exit: 0, json: true },
  { fault: 'truncated body on GET /tasks', faults: [{ kind: 'truncate', method: 'GET', path: '^/tasks$', nth: 3 }], exit: 0, json: true },
  { fault: 'truncated body on failover 202', faults: [{ kind: 'truncate', method: 'POST', path: FAILOVER, nth: 5 }], exit: 0, json: true },
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
    // On the leaping clock the hung poll would last past the 30m step timeout (and the 15m
    // session idle expiry) while the db tasks finish unseen. The poller abandons a poll
    // unanswered for 5m and says so, polls again in the same session, and sees them finish.
    fault: 'EM unresponsive to one poll for longer than the session idle timeout',
    faults: [{ kind: 'hang', method: 'GET', path: '^/tasks$', nth: 2 }],
    requestTimeout: '200ms',
    exit: 0,
  },
  {
    // The session ends just before the step timeout's stop reads vm07's task: the client
    // logs on again, and EM answers 404 for a task of the old session. Unreachable is not
    // gone: vm07 is `unknown` and listed for a manual check, never "stopped".
    fault: 'session expiry before a timed-out task is stopped',
    faults: [{ kind: 'expire-session', method: 'GET', path: '^/tasks/task', nth: 1 }],
    vms: { vm07: { neverFinish: true } },
    steps: `  - id: db\n    failover: {cdpReplica: ${REPLICA}, vms: [vm01, vm02, vm03, vm04]}\n  - id: app\n    timeout: 5m\n    failover: {cdpReplica: ${REPLICA}, vms: [vm05, vm06, vm07, vm08], concurrency: 4}\n`,
    exit: 1,
    unknown: 1,
    json: true,
  },
  // Issue #18: a stop DELETEs only a task it read Running. OperationFinished means the
  // backup server has finished (the VM IS failed over, §5.1): awaited until Finished, never
  // deleted; past the stop's 15 min budget, or when reads fail, the VM is `unknown`.
  {
    fault: 'step timeout, tasks OperationFinished (10m)',
    faults: [],
    vms: opFinished(['vm05', 'vm06', 'vm07', 'vm08'], '10m'),
    steps: TIMEOUT_STEPS,
    exit: 1,
    json: true,
  },
  {
    fault: 'step timeout, OperationFinished past the stop budget (40m)',
    faults: [],
    vms: opFinished(['vm05', 'vm06', 'vm07', 'vm08'], '40m'),
    steps: TIMEOUT_STEPS,
    exit: 1,
    unknown: 4,
    json: true,
  },
  {
    fault: 'step timeout, task reads failing',
    faults: [FAILING_READS],
    vms: opFinished(['vm05', 'vm06', 'vm07', 'vm08'], '10m'),
    steps: TIMEOUT_STEPS,
    exit: 1,
    unknown: 4,
    json: true,
  },
  {
    fault: 'step timeout, Running task, reads failing',
    faults: [FAILING_READS],
    vms: { vm07: { neverFinish: true } },
    steps: TIMEOUT_STEPS,
    exit: 1,
    unknown: 1,
  },
  {
    fault: 'sibling failure (rollback), tasks OperationFinished',
    faults: [],
    vms: { ...opFinished(['vm05', 'vm07', 'vm08'], '10m'), vm06: SLOW_FAIL },
    steps: SIBLING_STEPS,
    onFailure: 'rollback',
    exit: 1,
    json: true,
  },
  {
    fault: 'sibling failure (rollback), task reads failing',
    faults: [FAILING_READS],
    vms: { ...opFinished(['vm05', 'vm07', 'vm08'], '10m'), vm06: SLOW_FAIL },
    steps: SIBLING_STEPS,
    onFailure: 'rollback',
    exit: 1,
    unknown: 3,
    json: true,
  },
  {
    fault: 'sibling failure (rollback), tasks Running',
    faults: [],
    vms: { vm05: { failoverDuration: '10m' }, vm07: { failoverDuration: '10m' }, vm08: { failoverDuration: '10m' }, vm06: SLOW_FAIL },
    steps: SIBLING_STEPS,
    onFailure: 'rollback',
    exit: 1,
  },
  {
    fault: '500 on a failover POST',
    faults: [{ kind: 'status', status: 500, method: 'POST', path: FAILOVER, nth: 6, message: 'Internal error' }],
    exit: 1,
  },
];
