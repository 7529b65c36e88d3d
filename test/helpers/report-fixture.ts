// A hand-made RunReport of a partly failed run, rich enough for every renderer (JSON,
// JUnit, GitHub summary, HTML): a parallel group, a failover step with 3 VMs where one
// failed with EM's message, a skipped step, a pending step, a rollback that deleted a task,
// a failed rollback action, manual actions, retry and session-renewal events, and names
// with <, &, quotes and pipes to test escaping.

import { REPORT_SCHEMA, type RunReport } from '../../engine/state/report-types.js';

/** Strings that must never appear in any written file (the tests register them as secrets). */
export const FIXTURE_SECRETS = {
  password: 'S3cr3t-P@ss<&>"word',
  token: 'NDRjZmJkYmUtNWE5NS00MTU2LTg4NjctOTFmMDY5YjdjMmNj',
};

export const EM_FAILURE_MESSAGE = 'Failed to start failover: replica VM "erp-app02" is locked by another task <task-3> & cannot proceed';

export function partlyFailedReport(): RunReport {
  return {
    schema: REPORT_SCHEMA,
    runId: '20261127T102233Z-3f9a',
    playbook: {
      name: 'ERP <tier-1> & "friends"',
      description: "Fail over the ERP stack's database and app tiers",
      file: '/srv/runbooks/playbooks/erp-failover.yaml',
      sha256: '9f2c4e0b7d1a5c3e8f6b2a4d0c9e7f1b3a5d7c9e1f3b5d7a9c1e3f5b7d9a1c3e',
      commit: '1a2b3c4d',
    },
    params: { site: 'dr-east', pointInTime: '2026-11-27T10:00:00Z', dryRun: false, waves: 2 },
    server: { url: 'https://em01.lab.local:9398', media: 'xml', simulated: true, username: 'LAB\\dr-operator' },
    host: { hostname: 'ci-runner-7', user: 'runner' },
    startedAt: '2026-11-27T10:22:33.000Z',
    endedAt: '2026-11-27T10:31:05.500Z',
    outcome: 'failed',
    exitCode: 1,
    targets: { rtoMs: 900_000, rpoMs: 60_000 },
    achieved: { rtoMs: 312_000, worstRpoSeconds: 14 },
    steps: [
      {
        id: 'preflight',
        name: 'RPO guard',
        kind: 'check',
        outcome: 'succeeded',
        startedAt: '2026-11-27T10:22:33.100Z',
        endedAt: '2026-11-27T10:22:35.000Z',
        durationMs: 1_900,
        checks: [
          { ok: true, message: 'erp-db01: newest restore point 14s old (max 60s)' },
          { ok: true, message: 'application-consistent point within 1h' },
        ],
        vms: [{ name: 'erp-db01', replica: 'CDP Policy <ERP>', restorePoint: 'latest', state: 'not-started', rpoSeconds: 14 }],
      },
      {
        id: 'tiers',
        name: 'Tiers in parallel',
        kind: 'parallel',
        outcome: 'failed',
        startedAt: '2026-11-27T10:22:35.000Z',
        endedAt: '2026-11-27T10:29:40.000Z',
        durationMs: 425_000,
        error: 'step "app-tier" failed',
      },
      {
        id: 'db-tier',
        name: 'Database tier',
        kind: 'failover',
        parentId: 'tiers',
        outcome: 'succeeded',
        startedAt: '2026-11-27T10:22:35.000Z',
        endedAt: '2026-11-27T10:27:45.000Z',
        durationMs: 310_000,
        vms: [
          {
            name: 'erp-db01',
            id: 'vm-101',
            replica: 'CDP Policy <ERP>',
            restorePoint: 'latest application-consistent',
            state: 'failed-over',
            taskId: 'task-1',
            requestedAt: '2026-11-27T10:22:35.200Z',
            finishedAt: '2026-11-27T10:27:45.000Z',
            durationMs: 309_800,
            message: 'Ok',
            restoreSession: { id: '5a5a0000-0000-4000-8000-000000000001', state: 'Stopped', result: 'Success' },
            rpoSeconds: 14,
            retries: 1,
          },
        ],
      },
      {
        id: 'app-tier',
        name: 'App tier "A & B"',
        kind: 'failover',
        parentId: 'tiers',
        outcome: 'failed',
        startedAt: '2026-11-27T10:22:35.000Z',
        endedAt: '2026-11-27T10:29:40.000Z',
        durationMs: 425_000,
        error: `VM "erp-app02": task task-3 finished with Success="false" ("${EM_FAILURE_MESSAGE}")`,
        vms: [
          {
            name: 'erp-app01',
            id: 'vm-201',
            replica: 'CDP Policy <ERP>',
            restorePoint: 'point in time 2026-11-27T10:00:00Z',
            state: 'failed-over',
            taskId: 'task-2',
            requestedAt: '2026-11-27T10:22:35.300Z',
            finishedAt: '2026-11-27T10:28:00.000Z',
            durationMs: 324_700,
            message: 'Ok',
          },
          {
            name: 'erp-app02',
            id: 'vm-202',
            replica: 'CDP Policy <ERP>',
            restorePoint: 'point in time 2026-11-27T10:00:00Z',
            state: 'failed',
            taskId: 'task-3',
            requestedAt: '2026-11-27T10:22:35.400Z',
            finishedAt: '2026-11-27T10:29:40.000Z',
            durationMs: 424_600,
            message: EM_FAILURE_MESSAGE,
          },
          {
            name: 'erp-app03 <edge>',
            id: 'vm-203',
            replica: 'CDP Policy <ERP>',
            restorePoint: 'point in time 2026-11-27T10:00:00Z',
            state: 'stopped',
            taskId: 'task-4',
            requestedAt: '2026-11-27T10:22:35.500Z',
            finishedAt: '2026-11-27T10:29:50.000Z',
            durationMs: 434_500,
            message: 'task deleted by rollback while running',
          },
        ],
      },
      {
        id: 'notify',
        name: 'Notify | chat',
        kind: 'exec',
        outcome: 'skipped',
        skipReason: "when: step 'tiers' is succeeded (it failed)",
      },
      {
        id: 'dns',
        name: 'Switch DNS',
        kind: 'exec',
        outcome: 'pending',
      },
    ],
    rollback: [
      {
        at: '2026-11-27T10:29:45.000Z',
        action: 'delete-task',
        stepId: 'app-tier',
        target: 'erp-app03 <edge>',
        taskId: 'task-4',
        ok: true,
        message: 'DELETE /tasks/task-4 → 204: stop requested',
      },
      {
        at: '2026-11-27T10:29:46.000Z',
        action: 'exec-undo',
        stepId: 'notify',
        target: 'notify-undo.sh --channel "#dr" & more',
        ok: false,
        message: 'exited 3',
      },
    ],
    manual: [
      {
        stepId: 'db-tier',
        target: 'erp-db01',
        reason: 'failed-over',
        instruction: 'erp-db01 IS failed over (task task-1). EM has no per-VM undo: undo it in the Veeam console if not intended.',
      },
      {
        stepId: 'notify',
        target: 'notify-undo.sh',
        reason: 'rollback-failed',
        instruction: 'undo command exited 3: run it by hand',
      },
    ],
    events: [
      {
        at: '2026-11-27T10:22:36.000Z',
        type: 'retry',
        stepId: 'db-tier',
        message: 'POST /cdpReplicas/r1/vms/vm-101?action=failover → 503 ("Service <busy>"), not processed: retry 1 in 2s',
      },
      { at: '2026-11-27T10:25:00.000Z', type: 'session-renewal', message: 'logon session expired (401): logged on again' },
      { at: '2026-11-27T10:29:44.000Z', type: 'rollback-start', message: 'on-failure: rollback' },
      {
        at: '2026-11-27T10:29:44.500Z',
        type: 'warning',
        stepId: 'app-tier',
        message: 'restore session stayed "Working" & was not awaited',
      },
    ],
  };
}
