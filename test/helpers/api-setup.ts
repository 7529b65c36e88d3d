// Client construction the api suites share: a client with fixed jitter on a FakeClock, its
// events collected (and audited for secrets), over a scripted EM or the simulator's fetch.
import { FakeClock } from '../../engine/clock.js';
import { createClient } from '../../engine/api/client.js';
import type { ClientEvent, ClientOptions, EmClient } from '../../engine/api/types.js';
import { PASSWORD, fakeEm, type Responder, type secretAudit } from './api-fake-em.js';

export type SecretAudit = ReturnType<typeof secretAudit>;

export interface TestClientOptions {
  url: string;
  username: string;
  password: string;
  fetch: typeof fetch;
  clock: FakeClock;
  /** Where events go for the suite's secret check; absent: events are only collected. */
  audit?: SecretAudit;
  /** Overrides any of the above client options. */
  extra?: Partial<ClientOptions>;
}

/** A client whose jitter is fixed (random 0.5), so backoff delays are exact. */
export function testClient(o: TestClientOptions): { client: EmClient; events: ClientEvent[] } {
  const events: ClientEvent[] = [];
  const client = createClient({
    url: o.url,
    username: o.username,
    password: o.password,
    fetch: o.fetch,
    clock: o.clock,
    random: () => 0.5,
    onEvent: (e) => events.push(o.audit ? o.audit.record(e) : e),
    ...o.extra,
  });
  return { client, events };
}

/** User `dr` against a scripted EM (api-fake-em.ts), on a FakeClock from 0 that advances itself. */
export function scriptedClient(
  responder: Responder,
  o: { url: string; logon?: Responder; audit?: SecretAudit; extra?: Partial<ClientOptions> },
) {
  const em = fakeEm(responder, o.logon);
  const clock = new FakeClock({ start: 0, auto: true });
  const { client, events } = testClient({
    url: o.url,
    username: 'dr',
    password: PASSWORD,
    fetch: em.fetch,
    clock,
    ...(o.audit ? { audit: o.audit } : {}),
    ...(o.extra ? { extra: o.extra } : {}),
  });
  return { em, clock, events, client };
}

/** The error `promise` rejects with, recorded for the secret audit; throws if it resolves. */
export function rejectionRecorder(audit: SecretAudit): (promise: Promise<unknown>) => Promise<Error> {
  return async (promise) => {
    try {
      await promise;
    } catch (error) {
      audit.record(error);
      return error as Error;
    }
    throw new Error('expected a rejection');
  };
}

/** The failover spec the api suites send: the current state, no VSS. */
export const SPEC = { restoreCurrent: true, restoreCurrentVss: false };

/**
 * User `dr` at https://em:9398 against a scripted EM, for suites that audit only the errors
 * (through rejectionRecorder), not the events.
 */
export function errorsAuditedClient(responder: Responder, extra: Partial<ClientOptions> = {}) {
  const { em, client } = scriptedClient(responder, { url: 'https://em:9398', extra });
  return { em, client };
}
