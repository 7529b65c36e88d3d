// Properties of the retry policy (engine/api/retry-policy.ts) and of the pipeline that
// applies it: delays inside their bounds and never zero, caps monotone in the attempt
// number, Retry-After honoured but capped, attempts bounded, and a mutating POST whose
// outcome is unknown sent exactly once. Deterministic seeds; retries sleep on a FakeClock.

import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClient } from '../engine/api/client.js';
import { parseRetryAfter, retryDelay, type RetrySettings } from '../engine/api/retry-policy.js';
import { FakeClock } from '../engine/clock.js';
import { EmHttpError, OutcomeUnknownError } from '../engine/errors.js';

const settings: fc.Arbitrary<RetrySettings> = fc
  .record({
    attempts: fc.integer({ min: 1, max: 8 }),
    minDelayMs: fc.integer({ min: 2, max: 5000 }),
    spread: fc.integer({ min: 1, max: 64 }),
    maxRetryAfterMs: fc.integer({ min: 0, max: 120_000 }),
  })
  .map(({ attempts, minDelayMs, spread, maxRetryAfterMs }) => ({
    attempts,
    minDelayMs,
    maxDelayMs: minDelayMs * spread,
    maxRetryAfterMs,
    maxTotalMs: 120_000,
  }));
const rnd = fc.double({ min: 0, max: 1, noNaN: true });
const RUNS = { numRuns: 400, seed: 31337 };

test('every delay is within [minDelay/2, maxDelay] and never zero', () => {
  fc.assert(
    fc.property(settings, fc.integer({ min: 1, max: 40 }), rnd, (s, retry, r) => {
      const d = retryDelay(retry, s, () => r, undefined);
      assert.ok(d >= Math.floor(s.minDelayMs / 2) && d <= s.maxDelayMs, `${d} outside [${s.minDelayMs / 2}, ${s.maxDelayMs}]`);
      assert.ok(d >= 1);
    }),
    RUNS,
  );
});

test('the cap grows with the attempt number and stops at maxDelay', () => {
  fc.assert(
    fc.property(settings, fc.integer({ min: 1, max: 40 }), (s, retry) => {
      const hi = (n: number) => retryDelay(n, s, () => 1, undefined);
      const lo = (n: number) => retryDelay(n, s, () => 0, undefined);
      assert.ok(hi(retry + 1) >= hi(retry) && lo(retry + 1) >= lo(retry));
      assert.ok(hi(retry) <= s.maxDelayMs);
    }),
    RUNS,
  );
});

test('a Retry-After is honoured, capped at maxRetryAfter', () => {
  fc.assert(
    fc.property(settings, fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 10_000_000 }), rnd, (s, retry, ra, r) => {
      assert.is(
        retryDelay(retry, s, () => r, ra),
        Math.min(ra, s.maxRetryAfterMs),
      );
    }),
    RUNS,
  );
});

test('Retry-After parsing: seconds and dates give ms ≥ 0, anything else undefined, never NaN', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  fc.assert(
    fc.property(
      fc.oneof(
        fc.nat(100_000).map(String),
        fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toUTCString()),
        fc.string(),
      ),
      (v) => {
        const ms = parseRetryAfter(v, now);
        if (ms !== undefined) assert.ok(Number.isFinite(ms) && ms >= 0, `${v} → ${ms}`);
        if (/^\d+$/.test(v)) assert.is(ms, Number(v) * 1000);
      },
    ),
    RUNS,
  );
});

const EM_503 =
  '<?xml version="1.0" encoding="utf-8"?><Error xmlns="http://www.veeam.com/ent/v1.0"><Message>busy</Message><StatusCode>503</StatusCode></Error>';
const LOGON =
  '<?xml version="1.0" encoding="utf-8"?><LogonSession xmlns="http://www.veeam.com/ent/v1.0"><SessionId>s1</SessionId></LogonSession>';

test('attempts are bounded: an always-503 EM gets at most `attempts` requests, then a typed error', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 2000 }),
      fc.integer({ min: 0, max: 1000 }),
      async (attempts, minDelayMs, seed) => {
        let calls = 0;
        const fetch503: typeof fetch = async () => {
          calls++;
          return new Response(EM_503, { status: 503, headers: { 'Content-Type': 'application/xml' } });
        };
        const client = createClient({
          url: 'https://em.invalid:9398',
          username: 'u',
          password: 'p',
          fetch: fetch503,
          clock: new FakeClock({ auto: true }),
          random: () => (seed % 100) / 100,
          retry: { attempts, minDelayMs, maxDelayMs: minDelayMs * 8 },
        });
        const error = await client.logon().then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.instance(error, EmHttpError);
        assert.ok(calls >= 1 && calls <= attempts, `${calls} requests for ${attempts} attempts`);
      },
    ),
    { numRuns: 40, seed: 5 },
  );
});

test('a failover POST whose connection resets is sent exactly once, whatever the retry settings', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 8 }), async (attempts) => {
      let posts = 0;
      const em: typeof fetch = async (input, init) => {
        const req = new Request(input, init);
        if (req.url.includes('/sessionMngr/'))
          return new Response(LOGON, { status: 201, headers: { 'Content-Type': 'application/xml', 'X-RestSvcSessionId': 'dG9r' } });
        posts++;
        throw new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) });
      };
      const client = createClient({
        url: 'https://em.invalid:9398',
        username: 'u',
        password: 'p',
        fetch: em,
        clock: new FakeClock({ auto: true }),
        retry: { attempts },
      });
      const call = {
        method: 'POST' as const,
        path: '/cdpReplicas/r1/vms/v1?action=failover',
        mutating: true,
        body: { kind: 'CdpFailoverStartSpec' as const, spec: { restoreCurrent: true, restoreCurrentVss: false } },
      };
      const error = await client.call(call as never).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.instance(error, OutcomeUnknownError);
      assert.is(posts, 1);
    }),
    { numRuns: 8, seed: 9 },
  );
});

test.run();
