// The simulator's request log, reduced to what the analysis needs and sent over IPC as
// arrays (a 10,000-VM run logs ~100,000 requests).

import type { RequestLogEntry } from '../../engine/simulator/index.js';

/** [at ms, method, path, query, status, taskId] */
export type PackedEntry = [number, string, string, string, number, string];

export interface LogEntry {
  at: number;
  method: string;
  path: string;
  query: string;
  status: number;
  taskId: string;
}

export function packLog(log: readonly RequestLogEntry[]): PackedEntry[] {
  return log.map((e) => [Date.parse(e.at), e.method, e.path, e.query, e.status, e.taskId ?? '']);
}

export function unpackLog(packed: PackedEntry[]): LogEntry[] {
  return packed.map(([at, method, path, query, status, taskId]) => ({ at, method, path, query, status, taskId }));
}
