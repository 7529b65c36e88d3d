// Every default of the playbook language, in one literal object. types.ts documents the
// same values with @default tags; test/playbook-normalize.test.ts checks a minimal
// playbook normalizes to exactly these.

export const DEFAULTS = {
  server: {
    /** EM wire format. */
    media: 'xml',
    /** Certificates are verified unless explicitly opted out. */
    insecureSkipVerify: false,
    /** Per-request timeout: 30s. */
    requestTimeoutMs: 30_000,
  },
  defaults: {
    /** Step timeout: 30m. */
    timeoutMs: 30 * 60_000,
    /** EM task polling interval: 5s. */
    pollIntervalMs: 5_000,
    retry: {
      /** Total attempts including the first. */
      attempts: 3,
      /** First backoff: 2s, doubling. */
      backoffMs: 2_000,
      /** Cap on one backoff delay: 30s. */
      maxBackoffMs: 30_000,
    },
    /** VMs in flight at once inside a failover step. */
    concurrency: 10,
    onFailure: 'abort',
  },
  step: {
    /** Run even after an earlier failure. */
    always: false,
    /** Outcome a `{step: id}` condition waits for when `is` is omitted. */
    conditionIs: ['succeeded'],
  },
  /** Restore point of failover and failoverVapp steps. */
  restorePoint: 'latest',
  exec: {
    /** argv is run directly, without a shell. */
    shell: false,
    expectExit: 0,
  },
} as const;
