// Who to log on as, and where: from the command line, the environment and the playbook's
// `server:` block. Secrets come only by reference (an env var or a file), never from argv.
// Used by `runbook plan/run --server` and `runbook rollback`.
//
// Everything in `server` can be overridden from the command line and from the environment,
// so the most specific source wins: --server > VEEAM_EM_* > the playbook's server block >
// what the run recorded (rollback only). First found wins:
//   url:      --server, the url recorded by the run (rollback: its tasks live on that EM),
//             VEEAM_EM_URL, the playbook's server.url
//   username: VEEAM_EM_USERNAME, the playbook's server.username, the username recorded by the run
//   password: VEEAM_EM_PASSWORD, VEEAM_EM_PASSWORD_FILE, the playbook's server.password (env or file)

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ClientOptions } from '../api/types.js';
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
  const url = sources.urlFlag || sources.recorded?.url || env.VEEAM_EM_URL || fromValueRef(sources.server?.url, env);
  const username = env.VEEAM_EM_USERNAME || fromValueRef(sources.server?.username, env) || sources.recorded?.username;
  // A secret file is read only when it is the source that wins (a stale playbook file is not an error).
  let password = env.VEEAM_EM_PASSWORD || undefined;
  if (!password && env.VEEAM_EM_PASSWORD_FILE) password = readSecretFile(env.VEEAM_EM_PASSWORD_FILE, 'VEEAM_EM_PASSWORD_FILE');
  if (!password) password = fromSecretRef(sources.server?.password, sources);

  const missing = [
    !url ? 'the Enterprise Manager URL (--server, VEEAM_EM_URL or server.url)' : undefined,
    !username ? 'the username (VEEAM_EM_USERNAME or server.username)' : undefined,
    !password ? 'the password (VEEAM_EM_PASSWORD, VEEAM_EM_PASSWORD_FILE or server.password)' : undefined,
  ].filter((x): x is string => !!x);
  if (missing.length || !url || !username || !password) {
    throw new UsageError(`cannot log on to Enterprise Manager: missing ${missing.join(', ')}`);
  }
  return { url, username, password };
}

/** What a playbook's server block sets on the client: request timeout and TLS (the CA file is relative to the playbook). */
export function serverClientOptions(server: ServerConfig, playbookFile: string): Pick<ClientOptions, 'timeoutMs' | 'tls'> {
  const { tls } = server;
  return {
    timeoutMs: server.requestTimeoutMs,
    tls: {
      ...(tls.caFile !== undefined ? { caFile: resolve(dirname(playbookFile), tls.caFile) } : {}),
      insecureSkipVerify: tls.insecureSkipVerify,
    },
  };
}
