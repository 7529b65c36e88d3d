// A schedule: one reference playbook, its timings, and faults pinned to request indexes
// (k = the k-th request the simulator receives, 1-based). It prints as one line that
// `npm run explore -- --replay '<line>'` reads back, so every violation is replayable.

import type { FaultSpec } from '../../engine/simulator/index.js';
import { REPLICA, VMS } from '../drills/scenario.js';

/** The fault kinds of issue #20, by the names the table and replay lines use. */
export const FAULT_KINDS = [
  'reset-before',
  'reset-after',
  '503',
  '500',
  '401',
  'timeout',
  'task-fail',
  'task-stuck',
  'opfin',
  'restart',
] as const;
export type FaultKindName = (typeof FAULT_KINDS)[number];

export const FAULT_TEXT: Record<FaultKindName, string> = {
  'reset-before': 'connection reset before EM processes the request',
  'reset-after': 'connection reset after EM processed it (answer lost)',
  '503': '503 with an EM Error body',
  '500': '500 with an EM Error body',
  '401': 'the session dies (401)',
  timeout: 'no answer until the read timeout',
  'task-fail': 'the task this request creates fails (Result Success=false)',
  'task-stuck': 'the task this request creates stays Running',
  opfin: 'the task this request creates stays OperationFinished for arg (default 40m)',
  restart: 'EM restarts: every session and task forgotten',
};

/** Faults that act on the task a request creates: only failover POSTs can carry them. */
export const TASK_FAULTS: ReadonlySet<FaultKindName> = new Set(['task-fail', 'task-stuck', 'opfin']);

export interface PinnedFault {
  kind: FaultKindName;
  at: number;
  /** opfin: how long OperationFinished lasts. */
  arg?: string;
}

/** small and two-tier are generated on the drills' 20-VM replica; erp and mix are files on the demo inventory (reference.ts). */
export const PLAYBOOKS = ['small', 'two-tier', 'erp', 'mix'] as const;
export type PlaybookName = (typeof PLAYBOOKS)[number];

export interface Schedule {
  pb: PlaybookName;
  media: 'xml' | 'json';
  onFailure: 'rollback' | 'abort' | 'continue';
  /** Concurrency of the fan-out step. */
  conc: number;
  poll: string;
  /** Every VM's failover duration. */
  dur: string;
  faults: PinnedFault[];
}

export const DEFAULTS: Omit<Schedule, 'pb' | 'faults'> = { media: 'xml', onFailure: 'rollback', conc: 4, poll: '5s', dur: '30s' };

export function toFaultSpec(f: PinnedFault): FaultSpec {
  const nth = f.at;
  switch (f.kind) {
    case '503':
      return { kind: 'status', status: 503, message: 'The service is temporarily unavailable.', nth };
    case '500':
      return { kind: 'status', status: 500, message: 'Internal server error.', nth };
    case '401':
      return { kind: 'expire-session', nth };
    case 'timeout':
      return { kind: 'hang', nth };
    case 'task-fail':
      return { kind: 'task-fail', message: 'Injected: cannot lock the replica', nth };
    case 'task-stuck':
      return { kind: 'task-never-finish', nth };
    case 'opfin':
      return { kind: 'task-operation-finished', delay: f.arg ?? '40m', nth };
    default:
      return { kind: f.kind, nth };
  }
}

/** The playbook's steps (the drill scenario's 20-VM inventory; `small` uses 4 of its VMs). */
export function stepsOf(s: Schedule): string {
  const list = (names: string[]) => names.join(', ');
  if (s.pb === 'small') {
    return `  - id: db\n    failover: {cdpReplica: ${REPLICA}, vms: [${list(VMS.slice(0, 2))}]}\n  - id: app\n    failover: {cdpReplica: ${REPLICA}, vms: [${list(VMS.slice(2, 4))}], concurrency: ${s.conc}}\n`;
  }
  return `  - id: db\n    failover: {cdpReplica: ${REPLICA}, vms: [${list(VMS.slice(0, 4))}], restorePoint: latest}\n  - id: app\n    failover: {cdpReplica: ${REPLICA}, vms: [${list(VMS.slice(4))}], restorePoint: latest, concurrency: ${s.conc}}\n`;
}

export function formatFault(f: PinnedFault): string {
  return `${f.kind}${f.arg ? `:${f.arg}` : ''}@${f.at}`;
}

export function formatSchedule(s: Schedule): string {
  return `pb=${s.pb};media=${s.media};fail=${s.onFailure};conc=${s.conc};poll=${s.poll};dur=${s.dur};faults=${s.faults.map(formatFault).join(',')}`;
}

const FIELD = /^(pb|media|fail|conc|poll|dur|faults)=(.*)$/;

export function parseSchedule(line: string): Schedule {
  const s: Partial<Schedule> & typeof DEFAULTS = { ...DEFAULTS, faults: [] };
  for (const part of line.trim().split(';').filter(Boolean)) {
    const m = FIELD.exec(part.trim());
    if (!m) throw new Error(`schedule: cannot read "${part}" (fields: pb, media, fail, conc, poll, dur, faults)`);
    const value = m[2]!;
    if (m[1] === 'pb') s.pb = oneOf(value, PLAYBOOKS, 'pb');
    else if (m[1] === 'media') s.media = oneOf(value, ['xml', 'json'] as const, 'media');
    else if (m[1] === 'fail') s.onFailure = oneOf(value, ['rollback', 'abort', 'continue'] as const, 'fail');
    else if (m[1] === 'conc') s.conc = Number(value);
    else if (m[1] === 'poll') s.poll = value;
    else if (m[1] === 'dur') s.dur = value;
    else s.faults = value ? value.split(',').map(parseFault) : [];
  }
  if (!s.pb) throw new Error('schedule: pb= is required');
  if (!Number.isInteger(s.conc) || s.conc < 1) throw new Error('schedule: conc must be a positive integer');
  return s as Schedule;
}

function parseFault(text: string): PinnedFault {
  const m = /^([a-z0-9-]+)(?::([0-9]+[a-z]+))?@([0-9]+)$/.exec(text.trim());
  if (!m) throw new Error(`schedule: fault "${text}" is not kind[:arg]@k`);
  return { kind: oneOf(m[1]!, FAULT_KINDS, 'fault kind'), at: Number(m[3]), ...(m[2] ? { arg: m[2] } : {}) };
}

function oneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`schedule: ${what} "${value}" is not one of ${allowed.join(', ')}`);
  return value as T;
}
