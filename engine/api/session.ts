// The logon session (spec §2): one token, renewed on 401 or after a long idle time.
// Single-flight: whoever needs a logon while one is in progress waits for that one, and a
// 401 for a token that has already been replaced just uses the new one, so fifty
// concurrent 401s cause exactly one logon.

import type { Clock } from '../clock.js';
import type { ClientEvent } from './types.js';

export interface LogonResult {
  token: string;
  /** The LogonSession id, for `DELETE /logonSessions/{id}`; absent if EM named none. */
  sessionId: string | undefined;
}

export interface SessionDeps {
  logon: () => Promise<LogonResult>;
  clock: Clock;
  idleRenewMs: number;
  emit: (event: ClientEvent) => void;
}

type Reason = Extract<ClientEvent, { type: 'logon' }>['reason'];

export class Session {
  private token: string | undefined;
  private sessionIdValue: string | undefined;
  private lastUsed = 0;
  private pending: Promise<string> | undefined;
  private epochValue = 0;
  /** Epoch of every token this client was given (a handful per run). */
  private readonly epochs = new Map<string, number>();

  constructor(private readonly deps: SessionDeps) {}

  get sessionId(): string | undefined {
    return this.sessionIdValue;
  }

  /** Successful logons so far: 0 before the first, +1 on each (initial, idle, expired). */
  get epoch(): number {
    return this.epochValue;
  }

  /** The epoch of the logon that issued `token`. */
  epochOf(token: string): number | undefined {
    return this.epochs.get(token);
  }

  get active(): boolean {
    return this.token !== undefined;
  }

  /** The token to send now; logs on first, or anew when idle past idleRenewMs. */
  current(): Promise<string> {
    if (this.pending) return this.pending;
    if (this.token === undefined) return this.start('initial');
    // EM expires idle sessions after 15 min (§2.2): renew before it does, not after a 401.
    // The old session is left to expire on its own: it may still own tasks (§5).
    if (this.deps.clock.now() - this.lastUsed >= this.deps.idleRenewMs) return this.start('idle');
    return Promise.resolve(this.token);
  }

  /** EM rejected `stale` with 401: log on again, unless someone already has. */
  renew(stale: string): Promise<string> {
    if (this.pending) return this.pending;
    if (this.token !== undefined && this.token !== stale) return Promise.resolve(this.token);
    return this.start('expired');
  }

  /** EM saw a request with the current token: its idle timer restarted. */
  touch(): void {
    this.lastUsed = this.deps.clock.now();
  }

  /** Wait for a logon in progress (logout must not race it). */
  async settled(): Promise<void> {
    if (!this.pending) return;
    // The logon's own caller sees its error; logout only needs it finished.
    await this.pending.catch(() => undefined);
  }

  clear(): void {
    this.token = undefined;
    this.sessionIdValue = undefined;
  }

  private start(reason: Reason): Promise<string> {
    const run = async () => {
      const result = await this.deps.logon();
      this.token = result.token;
      this.sessionIdValue = result.sessionId;
      this.epochValue++;
      this.epochs.set(result.token, this.epochValue);
      this.touch();
      this.deps.emit({ type: 'logon', reason });
      return result.token;
    };
    const pending = run().finally(() => {
      if (this.pending === pending) this.pending = undefined;
    });
    this.pending = pending;
    return pending;
  }
}

/** How a call authenticates: with the session token, or with Basic credentials (logon). */
export type Auth = { kind: 'session'; session: Session; renew: boolean } | { kind: 'basic'; authorization: string };
