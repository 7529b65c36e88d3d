// Logon sessions (API spec §2): token = base64 of the SessionId GUID text, sliding idle
// expiry on the injected clock, token from the cookie (which wins) or the header.

import { randomUuid } from './ids.js';
import type { UserM } from './model.js';
import type { SimRequest } from './reply.js';

export interface SessionM {
  id: string;
  token: string;
  /** `s1`, `s2`, …: what the request log shows instead of the token. */
  label: string;
  user: UserM;
  lastSeen: number;
}

export const TOKEN_HEADER = 'X-RestSvcSessionId';

/** The token a request carries: the cookie wins over the header when both are sent (§2.1). */
export function tokenOf(request: SimRequest): string | undefined {
  const cookie = request.headers.get('cookie');
  if (cookie) {
    for (const part of cookie.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === TOKEN_HEADER) return decodeURIComponent(part.slice(eq + 1).trim());
    }
  }
  return request.headers.get(TOKEN_HEADER) ?? undefined;
}

export class Sessions {
  private byToken = new Map<string, SessionM>();
  private counter = 0;
  logons = 0;

  constructor(
    private readonly idleMs: number,
    private readonly random: () => number,
    /** Called when a session ends (logout or expiry): its tasks go with it. */
    private readonly onEnd: (session: SessionM) => void,
  ) {}

  create(user: UserM, now: number): SessionM {
    const id = randomUuid(this.random);
    const session: SessionM = { id, token: Buffer.from(id, 'utf8').toString('base64'), label: `s${++this.counter}`, user, lastSeen: now };
    this.byToken.set(session.token, session);
    this.logons++;
    return session;
  }

  /** Without touching the idle timer: for the request log of a rejected request. */
  peek(token: string | undefined): SessionM | undefined {
    return token === undefined ? undefined : this.byToken.get(token);
  }

  /** The live session for `token`, refreshing its idle timer; expired ones are ended. */
  authenticate(token: string | undefined, now: number): SessionM | undefined {
    const session = this.peek(token);
    if (!session) return undefined;
    if (now - session.lastSeen >= this.idleMs) {
      this.end(session);
      return undefined;
    }
    session.lastSeen = now;
    return session;
  }

  end(session: SessionM): void {
    if (this.byToken.delete(session.token)) this.onEnd(session);
  }

  /** EM restarted: every session ends (and its tasks with it). */
  endAll(): void {
    for (const session of [...this.byToken.values()]) this.end(session);
  }

  byId(id: string): SessionM | undefined {
    for (const s of this.byToken.values()) if (s.id === id.toLowerCase()) return s;
    return undefined;
  }

  /** Sessions not yet idle for too long at `now`. */
  live(now: number): SessionM[] {
    return [...this.byToken.values()].filter((s) => now - s.lastSeen < this.idleMs);
  }
}
