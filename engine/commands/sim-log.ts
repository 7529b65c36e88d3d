// `--sim-log FILE` (hidden; a test and rehearsal aid): the embedded simulator's request
// log as JSON lines, written when plan/run ends. The log never holds a secret.

import { writeFileSync } from 'node:fs';
import type { RequestLogEntry } from '../simulator/index.js';

export function writeSimLog(file: string, log: readonly RequestLogEntry[]): void {
  writeFileSync(file, log.map((e) => JSON.stringify(e)).join('\n') + (log.length ? '\n' : ''), { mode: 0o600 });
}
