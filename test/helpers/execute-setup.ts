// Shared setup for the executor-level suites (run-execute*, run-rollback, failed-over-before): a
// fake EM on a FakeClock that advances itself, holding one CDP replica ("CDP Policy 1") with the
// given VMs, and a playbook of the given steps; planAndExecute resolves and runs it.

import { FakeClock } from '../../engine/clock.js';
import type { Step } from '../../engine/playbook/types.js';
import { type ExecuteOptions, executePlan } from '../../engine/run/execute.js';
import { createFakeEm, type FakeEmOptions, type FakeVm } from './fake-em-client.js';
import { planFor, playbook, recorderFor } from './plan-fixture.js';

export function executeSetup(vms: FakeVm[], steps: Step[], extra: Partial<FakeEmOptions> = {}) {
  const clock = new FakeClock({ auto: true });
  const em = createFakeEm({ clock, replicas: [{ id: 'r1', name: 'CDP Policy 1', vms }], ...extra });
  return { clock, em, pb: playbook(steps) };
}

/**
 * Resolves the setup's playbook, then runs it with a fresh recorder and an unaborted signal.
 * `over.client` (default: the fake EM's) serves both; `em.log` then holds only the run's requests.
 */
export async function planAndExecute(s: ReturnType<typeof executeSetup>, over: Partial<ExecuteOptions> = {}) {
  const client = over.client ?? s.em.client;
  const plan = await planFor(s.pb, client);
  s.em.log.length = 0;
  const { recorder, journal } = recorderFor(plan, s.clock);
  const result = await executePlan({ plan, client, clock: s.clock, recorder, signal: new AbortController().signal, ...over });
  return { plan, recorder, journal, result };
}
