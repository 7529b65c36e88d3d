// Who to log on as, and where: from the command line, the playbook's `server:` block and
// the environment. Secrets come only by reference (an env var or a file), never from
// argv. Used by `runbook rollback`; the engine's run can share it.
//
// Precedence, first found wins:
//   url:      --server, the playbook's server.url, VEEAM_EM_URL, the url recorded by the run
//   username: the playbook's server.username, VEEAM_EM_USERNAME, the username recorded by the run
//   password: the playbook's server.password (env or file), VEEAM_EM_PASSWORD, VEEAM_EM_PASSWORD_FILE

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { SecretRef, ServerConfig, ValueRef } from '../playbook/types.js';

export interface Credentials {
  url: string;
  username: string;
  password: string;
}

export interface CredentialSources {
  env: Record<string, string | undefined>;
  /** The playbook's server block, when the playbook could be loaded. */
  server?: ServerConfig | undefined;
  /** The playbook file (relative secret files are read beside it). */
  playbookFile?: string | undefined;
  /** `--server URL`. */
  urlFlag?: string | undefined;
  /** What the run recorded in its run-start line (never a password). */
  recorded?: { url?: string | undefined; username?: string | undefined } | undefined;
}

function fromValueRef(ref: ValueRef | undefined, env: CredentialSources['env']): string | undefined {
  if (!ref) return undefined;
  return 'value' in ref ? ref.value : env[ref.env] || undefined;
}

function readSecretFile(file: string, what: string): string {
  try {
    // A trailing newline is how editors and `echo` leave files; it is never part of a password.
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw new UsageError(`cannot read the password file ${file} (${what}): ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

function fromSecretRef(ref: SecretRef | undefined, sources: CredentialSources): string | undefined {
  if (!ref) return undefined;
  if ('env' in ref) return sources.env[ref.env] || undefined;
  const base = sources.playbookFile ? dirname(resolve(sources.playbookFile)) : process.cwd();
  return readSecretFile(resolve(base, ref.file), 'server.password.file in the playbook');
}

export function resolveCredentials(sources: CredentialSources): Credentials {
  const { env } = sources;
  const url = sources.urlFlag || fromValueRef(sources.server?.url, env) || env.VEEAM_EM_URL || sources.recorded?.url;
  const username = fromValueRef(sources.server?.username, env) || env.VEEAM_EM_USERNAME || sources.recorded?.username;
  let password = fromSecretRef(sources.server?.password, sources) || env.VEEAM_EM_PASSWORD || undefined;
  if (!password && env.VEEAM_EM_PASSWORD_FILE) password = readSecretFile(env.VEEAM_EM_PASSWORD_FILE, 'VEEAM_EM_PASSWORD_FILE');

  const missing = [
    !url ? 'the Enterprise Manager URL (--server or VEEAM_EM_URL)' : undefined,
    !username ? 'the username (VEEAM_EM_USERNAME)' : undefined,
    !password ? 'the password (VEEAM_EM_PASSWORD or VEEAM_EM_PASSWORD_FILE)' : undefined,
  ].filter((x): x is string => !!x);
  if (missing.length || !url || !username || !password) {
    throw new UsageError(`cannot log on to Enterprise Manager: missing ${missing.join(', ')}`);
  }
  return { url, username, password };
}
