// What the simulator's request log says about one failover run: requests by kind, the
// failover phase, reaction latency, in-flight peak, and the never-twice invariant.

import type { LogEntry } from './sim-log.js';

export type RequestKind = 'session' | 'lookup' | 'failover' | 'pollList' | 'pollOne' | 'restoreSession' | 'deleteTask' | 'other';

export interface RunAnalysis {
  requests: number;
  byKind: Record<RequestKind, number>;
  /** Requests whose status was not 2xx. */
  errors: number;
  /** VMs that received exactly one failover POST / more than one. */
  vmsFailedOverOnce: number;
  vmsPostedTwice: number;
  /** First failover POST → last request about a VM (its task delete or restore-session read). */
  phaseMs: number;
  /** Task finished (POST time + task duration, on the simulator's clock) → DELETE of that task. */
  reaction: Stats;
  /** Most tasks running at once (POST → DELETE). */
  peakInFlight: number;
  /** Poll requests (list or single) per GET /tasks list tick; 0 ticks → per-task polling. */
  pollsPerSecond: number;
}

export interface Stats {
  n: number;
  median: number;
  p99: number;
  max: number;
}

export function classify(e: LogEntry): RequestKind {
  const { method, path, query } = e;
  if (path === '/' || path.startsWith('/sessionMngr') || path.startsWith('/logonSessions')) return 'session';
  if (method === 'POST' && /^\/cdpReplicas\/[^/]+\/vms\/[^/]+$/.test(path) && /(^|&)action=failover(&|$)/i.test(query)) return 'failover';
  if (method === 'GET' && /^\/tasks\/?$/.test(path)) return 'pollList';
  if (method === 'GET' && /^\/tasks\/[^/]+$/.test(path)) return 'pollOne';
  if (method === 'DELETE' && /^\/tasks\/[^/]+$/.test(path)) return 'deleteTask';
  if (method === 'GET' && path.startsWith('/restoreSessions/')) return 'restoreSession';
  if (method === 'GET') return 'lookup';
  return 'other';
}

export function stats(values: number[]): Stats {
  if (values.length === 0) return { n: 0, median: Number.NaN, p99: Number.NaN, max: Number.NaN };
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] as number;
  return { n: s.length, median: at(0.5), p99: at(0.99), max: s[s.length - 1] as number };
}

export function analyze(log: LogEntry[], taskMs: number): RunAnalysis {
  const byKind: Record<RequestKind, number> = {
    session: 0,
    lookup: 0,
    failover: 0,
    pollList: 0,
    pollOne: 0,
    restoreSession: 0,
    deleteTask: 0,
    other: 0,
  };
  const postsPerVm = new Map<string, number>();
  const postAt = new Map<string, number>();
  const deleteAt = new Map<string, number>();
  let errors = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const e of log) {
    const kind = classify(e);
    byKind[kind]++;
    if (e.status < 200 || e.status > 299) errors++;
    if (kind === 'failover') {
      postsPerVm.set(e.path, (postsPerVm.get(e.path) ?? 0) + 1);
      if (e.taskId) postAt.set(e.taskId, e.at);
      first = Math.min(first, e.at);
    }
    if (kind === 'deleteTask' || kind === 'restoreSession' || kind === 'failover') last = Math.max(last, e.at);
    if (kind === 'deleteTask') {
      const id = e.path.slice('/tasks/'.length);
      if (!deleteAt.has(id)) deleteAt.set(id, e.at);
    }
  }
  const reactions: number[] = [];
  const events: Array<[number, number]> = [];
  for (const [id, at] of postAt) {
    events.push([at, +1]);
    const del = deleteAt.get(id);
    if (del !== undefined) {
      reactions.push(del - (at + taskMs));
      events.push([del, -1]);
    }
  }
  // Ends before starts at the same millisecond: a slot freed and reused is not two in flight.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let inFlight = 0;
  let peakInFlight = 0;
  for (const [, d] of events) {
    inFlight += d;
    peakInFlight = Math.max(peakInFlight, inFlight);
  }
  const phaseMs = Number.isFinite(first) ? last - first : 0;
  const polls = byKind.pollList + byKind.pollOne;
  return {
    requests: log.length,
    byKind,
    errors,
    vmsFailedOverOnce: [...postsPerVm.values()].filter((n) => n === 1).length,
    vmsPostedTwice: [...postsPerVm.values()].filter((n) => n > 1).length,
    phaseMs,
    reaction: stats(reactions),
    peakInFlight,
    pollsPerSecond: phaseMs > 0 ? polls / (phaseMs / 1000) : 0,
  };
}
