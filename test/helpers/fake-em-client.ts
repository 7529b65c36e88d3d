// A small in-memory EmClient for executor unit tests (no HTTP, no codec): tasks finish on
// a FakeClock after a per-target duration; failures are injected per target. Every call is
// logged as `METHOD path` so tests assert on the exact order, like the simulator's log.
// Tasks belong to the logon session that created them (API spec §5): after `relogon()`
// (a new session, `sessionEpoch` + 1) the older tasks answer 404 and leave GET /tasks.

import type { CdpFailoverSpec, CdpIntervals, EmClient, Task } from '../../engine/api/types.js';
import type { Clock } from '../../engine/clock.js';
import { EmHttpError, OutcomeUnknownError } from '../../engine/errors.js';

export interface FakeVm {
  id: string;
  name: string;
  /** Failover duration. @default 30000 */
  durationMs?: number;
  fail?: 'result-false' | 'unknown' | 'http-500';
}

export interface FakeEmOptions {
  clock: Clock;
  replicas?: { id: string; name: string; vms: FakeVm[] }[];
  plans?: { id: string; name: string; durationMs?: number; fail?: boolean }[];
  vapps?: FakeVm[];
  /** Newest restore point age for intervals. @default 10000 */
  rpoAgeMs?: number;
  appConsistentAgeMs?: number;
  /** listTasks fails this many times first. */
  listTasksFailures?: number;
}

/** `n` VMs v0..v(n-1), named vm0..vm(n-1), each failing over in `ms`. */
export const fakeVms = (n: number, ms: number): FakeVm[] =>
  Array.from({ length: n }, (_, i) => ({ id: `v${i}`, name: `vm${i}`, durationMs: ms }));

interface FakeTask {
  id: string;
  operation: string;
  finishAt: number;
  success: boolean;
  message: string;
  session: boolean;
  deleted: boolean;
  /** The logon session (epoch) that created it. */
  epoch: number;
}

export function createFakeEm(o: FakeEmOptions) {
  const log: string[] = [];
  const tasks = new Map<string, FakeTask>();
  let seq = 0;
  // Logon session counter (EmClient.sessionEpoch): the first logon (explicit, or lazily by
  // the first call) is epoch 1; tests simulate a re-logon (an expired session) with `relogon()`.
  let epoch = 0;
  let listFailures = o.listTasksFailures ?? 0;
  const replicas = o.replicas ?? [];
  const notFound = (method: string, path: string) => new EmHttpError({ method, path, status: 404, emMessage: 'not found' });

  const toTask = (t: FakeTask): Task => {
    const finished = o.clock.now() >= t.finishAt;
    return {
      taskId: t.id,
      state: finished ? 'Finished' : 'Running',
      operation: t.operation,
      href: `https://em/api/tasks/${t.id}`,
      sessionEpoch: t.epoch,
      ...(finished ? { result: { success: t.success, message: t.message } } : {}),
      ...(finished && t.session ? { restoreSessionHref: `https://em/api/restoreSessions/s-${t.id}?format=Entity` } : {}),
    };
  };
  const start = (operation: string, durationMs: number, success: boolean, message: string, session: boolean): Task => {
    if (epoch === 0) epoch = 1; // the first call logs on
    const id = `task-${++seq}`;
    const t: FakeTask = { id, operation, finishAt: o.clock.now() + durationMs, success, message, session, deleted: false, epoch };
    tasks.set(id, t);
    return toTask(t);
  };
  const failover = (path: string, vm: FakeVm | undefined): Task => {
    log.push(`POST ${path}`);
    if (!vm) throw notFound('POST', path);
    if (vm.fail === 'unknown') {
      start('StartFailover', vm.durationMs ?? 30_000, true, 'Ok', true); // EM did process it
      throw new OutcomeUnknownError({ method: 'POST', path, subject: `VM "${vm.name}"` }, 'no answer after sending');
    }
    if (vm.fail === 'http-500') throw new EmHttpError({ method: 'POST', path, status: 500, emMessage: 'boom' });
    const ok = vm.fail !== 'result-false';
    return start('StartFailover', vm.durationMs ?? 30_000, ok, ok ? 'Ok' : 'Replica is locked', true);
  };
  const intervals = (): CdpIntervals => {
    const now = o.clock.now();
    const newest = new Date(now - (o.rpoAgeMs ?? 10_000)).toISOString();
    const app = new Date(now - (o.appConsistentAgeMs ?? 600_000)).toISOString();
    return {
      start: new Date(now - 3_600_000).toISOString(),
      end: newest,
      hasApplicationConsistentState: true,
      intervals: [{ start: new Date(now - 3_600_000).toISOString(), end: newest, rpoSeconds: 10, type: 'RestoreAvailable' }],
      restorePoints: [{ id: 'rp-1', date: app, appConsistent: true }],
    };
  };
  const ref = (id: string, name: string, type: string) => ({ id, name, type, href: `https://em/api/x/${id}`, links: [] });

  /** Visible to the current session: not deleted, and created by it. */
  const visible = (t: FakeTask | undefined): t is FakeTask => t !== undefined && !t.deleted && t.epoch === epoch;
  const client: EmClient = {
    media: 'xml',
    get sessionEpoch() {
      return epoch;
    },
    async logon() {
      log.push('POST /sessionMngr/?v=latest');
      if (epoch === 0) epoch = 1;
    },
    async logout() {
      log.push('DELETE /logonSessions/s1');
    },
    encode: () => ({}),
    async call() {
      throw new Error('not used');
    },
    async listCdpReplicas() {
      log.push('GET /cdpReplicas');
      return replicas.map((r) => ref(r.id, r.name, 'CdpReplicaReference'));
    },
    async findCdpReplica(nameOrId) {
      log.push(`GET /query?type=CdpReplica&filter=Name=="${nameOrId}"`);
      const r = replicas.find((x) => x.name === nameOrId || x.id === nameOrId);
      return r ? ref(r.id, r.name, 'CdpReplicaReference') : undefined;
    },
    async listCdpReplicaVms(replicaId) {
      log.push(`GET /cdpReplicas/${replicaId}/vms`);
      const r = replicas.find((x) => x.id === replicaId);
      if (!r) throw notFound('GET', `/cdpReplicas/${replicaId}/vms`);
      return r.vms.map((v) => ({ ...ref(v.id, v.name, 'CdpReplicaVmReference'), replicaId }));
    },
    async getCdpReplicaVm(replicaId, vmId) {
      const vm = replicas.find((x) => x.id === replicaId)?.vms.find((v) => v.id === vmId);
      if (!vm) throw notFound('GET', `/cdpReplicas/${replicaId}/vms/${vmId}`);
      return { ...ref(vm.id, vm.name, 'CdpReplicaVm'), replicaId };
    },
    async cdpIntervals(replicaId, vmId) {
      log.push(`POST /cdpReplicas/${replicaId}/vms/${vmId}?action=intervals`);
      return intervals();
    },
    async failoverCdpVm(replicaId, vmId, _spec: CdpFailoverSpec) {
      const vm = replicas.find((x) => x.id === replicaId)?.vms.find((v) => v.id === vmId);
      return failover(`/cdpReplicas/${replicaId}/vms/${vmId}?action=failover`, vm);
    },
    async listVappCdpReplicas() {
      return (o.vapps ?? []).map((v) => ref(v.id, v.name, 'VAppCdpReplicaReference'));
    },
    async findVappCdpReplica(nameOrId) {
      log.push(`GET /cdpReplica/vApps?name=${nameOrId}`);
      const v = (o.vapps ?? []).find((x) => x.name === nameOrId || x.id === nameOrId);
      return v ? ref(v.id, v.name, 'VAppCdpReplicaReference') : undefined;
    },
    async vappIntervals(vappId) {
      log.push(`POST /cdpReplica/vApps/${vappId}?action=intervals`);
      return intervals();
    },
    async failoverVapp(vappId) {
      return failover(
        `/cdpReplica/vApps/${vappId}?action=failover`,
        (o.vapps ?? []).find((v) => v.id === vappId),
      );
    },
    async listFailoverPlans() {
      return (o.plans ?? []).map((p) => ref(p.id, p.name, 'FailoverPlanReference'));
    },
    async findFailoverPlan(nameOrId) {
      log.push(`GET /failoverPlans?name=${nameOrId}`);
      const p = (o.plans ?? []).find((x) => x.name === nameOrId || x.id === nameOrId);
      return p ? ref(p.id, p.name, 'FailoverPlanReference') : undefined;
    },
    async startFailoverPlan(planId) {
      log.push(`POST /failoverPlans/${planId}?action=start`);
      const p = (o.plans ?? []).find((x) => x.id === planId);
      if (!p) throw notFound('POST', `/failoverPlans/${planId}?action=start`);
      return start('StartFailoverPlan', p.durationMs ?? 20_000, !p.fail, p.fail ? 'plan failed' : 'Ok', false);
    },
    async undoFailoverPlan(planId) {
      log.push(`POST /failoverPlans/${planId}?action=undo`);
      return start('UndoFailoverPlan', 10_000, true, 'Ok', false);
    },
    async failoverReplicaPoint() {
      throw new Error('not used');
    },
    // The executor sends the plan's call as built by api/calls.ts (ids URL-encoded).
    async send(call, options) {
      const id = (s: string) => decodeURIComponent(s);
      const [, path = '', query = ''] = /^([^?]*)\??(.*)$/.exec(call.path) ?? [];
      const match = (re: RegExp, action: string) => (query === `action=${action}` ? re.exec(path) : null);
      const vm = match(/^\/cdpReplicas\/([^/]+)\/vms\/([^/]+)$/, 'failover');
      if (vm && call.body?.kind === 'CdpFailoverStartSpec') return this.failoverCdpVm(id(vm[1]!), id(vm[2]!), call.body.spec, options);
      const vapp = match(/^\/cdpReplica\/vApps\/([^/]+)$/, 'failover');
      if (vapp && call.body?.kind === 'CdpFailoverStartSpec') return this.failoverVapp(id(vapp[1]!), call.body.spec, options);
      const start = match(/^\/failoverPlans\/([^/]+)$/, 'start');
      if (start && call.body?.kind === 'FailoverPlanManagementSpec') return this.startFailoverPlan(id(start[1]!), call.body.spec, options);
      const undo = match(/^\/failoverPlans\/([^/]+)$/, 'undo');
      if (undo) return this.undoFailoverPlan(id(undo[1]!), options);
      throw new Error(`fake EM: no such mutating call ${call.method} ${call.path}`);
    },
    async getTask(taskId) {
      log.push(`GET /tasks/${taskId}`);
      const t = tasks.get(taskId);
      if (!visible(t)) throw notFound('GET', `/tasks/${taskId}`);
      return toTask(t);
    },
    async listTasks() {
      log.push('GET /tasks');
      if (listFailures > 0) {
        listFailures--;
        throw new EmHttpError({ method: 'GET', path: '/tasks', status: 503, emMessage: 'busy' });
      }
      return [...tasks.values()].filter(visible).map(toTask);
    },
    async deleteTask(taskId) {
      log.push(`DELETE /tasks/${taskId}`);
      // Like the client: a 404 resolves (already gone); whether that proves anything depends on the session.
      const t = tasks.get(taskId);
      if (visible(t)) t.deleted = true;
    },
    async listRestoreSessions() {
      return [];
    },
    async getRestoreSession(href) {
      log.push(`GET ${new URL(href).pathname.replace('/api', '')}`);
      return { id: href, state: 'Stopped', result: 'Success' };
    },
  };
  /** A new logon session (expiry, idle renewal): the older sessions' tasks become unreachable. */
  const relogon = () => void epoch++;
  return { client, log, tasks, relogon };
}
