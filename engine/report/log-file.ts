// `--log-file FILE`: a JSON Lines log for unattended runs (one object per line:
// at, level, message, then the fields). Appends, so cron runs can share one file.
// Secrets registered with the filter are redacted before anything is written.

import { closeSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { systemClock, type Clock } from '../clock.js';
import { makeDirs } from '../state/make-dirs.js';
import { SecretFilter } from '../state/secret-filter.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogFile {
  readonly path: string;
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  registerSecret(value: string | undefined): void;
  close(): void;
}

export function openLogFile(file: string, options: { secrets?: SecretFilter; clock?: Clock } = {}): LogFile {
  makeDirs(dirname(file));
  const secrets = options.secrets ?? new SecretFilter();
  const clock = options.clock ?? systemClock;
  let fd: number | undefined = openSync(file, 'a', 0o600);
  return {
    path: file,
    registerSecret: (value) => secrets.register(value),
    log(level, message, fields = {}) {
      // Closed (e.g. a late event after the run ended): dropping it is better than throwing mid-shutdown.
      if (fd === undefined) return;
      const { at: _at, level: _level, message: _message, ...rest } = fields;
      const line = { at: new Date(clock.now()).toISOString(), level, message, ...rest };
      const data = Buffer.from(`${JSON.stringify(secrets.redact(line))}\n`, 'utf8');
      let written = 0;
      while (written < data.length) written += writeSync(fd, data, written);
    },
    close() {
      if (fd === undefined) return;
      closeSync(fd);
      fd = undefined;
    },
  };
}
