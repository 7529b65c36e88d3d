// Builders for normalized playbooks and resolved plans in engine unit tests (no YAML).

import type { Playbook, Step, StepCommon } from '../../engine/playbook/types.js';
import { resolvePlan } from '../../engine/plan/resolve.js';
import type { Plan } from '../../engine/plan/types.js';
import type { EmClient } from '../../engine/api/types.js';
import { RunRecorder } from '../../engine/run/recorder.js';
import type { JournalEntry } from '../../engine/state/journal-types.js';
import type { Clock } from '../../engine/clock.js';

export const RETRY = { attempts: 3, backoffMs: 1000, maxBackoffMs: 5000 };

export function common(id: string, over: Partial<StepCommon> = {}): StepCommon {
  return { id, name: id, timeoutMs: 1_800_000, retry: RETRY, onFailure: 'abort', always: false, ...over };
}

export function playbook(steps: Step[], over: Partial<Playbook> = {}): Playbook {
  return {
    version: 1,
    name: 'test playbook',
    file: '/tmp/pb/playbook.yaml',
    server: { media: 'xml', tls: { insecureSkipVerify: false }, requestTimeoutMs: 30_000 },
    params: {},
    defaults: { timeoutMs: 1_800_000, pollIntervalMs: 5000, retry: RETRY, concurrency: 10, onFailure: 'abort' },
    targets: {},
    steps,
    ...over,
  };
}

export async function planFor(
  pb: Playbook,
  client: EmClient,
  params: Record<string, string | number | boolean> = {},
  env: Record<string, string> = {},
): Promise<Plan> {
  return resolvePlan({
    playbook: pb,
    client,
    params,
    env,
    bind: (t) => t.replace(/\$\{params\.(\w+)\}/g, (_, k: string) => String(params[k])),
    server: { url: 'https://em:9398/api', media: 'xml', simulated: false },
  });
}

export function recorderFor(plan: Plan, clock: Clock) {
  const journal: JournalEntry[] = [];
  const recorder = new RunRecorder({
    runId: 'run-1',
    plan,
    playbookSha256: 'abc',
    host: { hostname: 'h', user: 'u' },
    pid: 1,
    clock,
    journal: { append: (e) => journal.push(e) },
  });
  return { recorder, journal };
}

/** A failover step of CDP replica `replica` (default "CDP Policy 1") for executor tests. */
export function failoverStep(
  id: string,
  vms: string[],
  over: Partial<Extract<Step, { kind: 'failover' }>> = {},
  replica = 'CDP Policy 1',
): Step {
  return { ...common(id), kind: 'failover', cdpReplica: replica, vms, restorePoint: { kind: 'latest' }, concurrency: 10, ...over };
}

/** An exec step that runs the command `[id]` (no shell, no env, exit 0 expected) for executor tests. */
export function execStep(id: string, over: Partial<Extract<Step, { kind: 'exec' }>> = {}): Step {
  return { ...common(id), kind: 'exec', command: [id], shell: false, env: {}, expectExit: 0, ...over };
}
