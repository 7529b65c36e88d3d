// Shared setup for the executor suites (run-execute*.test.ts): a fake EM on a FakeClock that
// advances itself, holding one CDP replica ("CDP Policy 1") with the given VMs, and a
// playbook of the given steps.

import { FakeClock } from '../../engine/clock.js';
import type { Step } from '../../engine/playbook/types.js';
import { createFakeEm, type FakeEmOptions, type FakeVm } from './fake-em-client.js';
import { playbook } from './plan-fixture.js';

export function executeSetup(vms: FakeVm[], steps: Step[], extra: Partial<FakeEmOptions> = {}) {
  const clock = new FakeClock({ auto: true });
  const em = createFakeEm({ clock, replicas: [{ id: 'r1', name: 'CDP Policy 1', vms }], ...extra });
  return { clock, em, pb: playbook(steps) };
}
