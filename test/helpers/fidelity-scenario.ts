// Shared by the simulator fidelity suites (simulator-fidelity*.test.ts): a body as text, and
// a simulator on a FakeClock with one finished VM failover, a finished plan start and undo,
// and a replica failover, whose bodies are compared with the real ones.

import { readFileSync } from 'node:fs';
import type { Simulator } from '../../engine/simulator/index.js';
import { docsFixture } from './paths.js';
import { API, demoVm, failover, json, logon, testSim } from './simulator.js';

export async function text(sim: Simulator, url: string, init: RequestInit = {}): Promise<string> {
  const r = await sim.fetch(url, init);
  return r.text();
}

/** A simulator with one finished VM failover, a finished plan start and undo, a replica failover. */
export async function scenario() {
  const t = testSim();
  const s = await logon(t.sim);
  const vm = await demoVm(t.sim, s.headers);
  const running = await (await failover(t.sim, s.headers, vm.vmHref)).text();
  const plans = (await (await t.sim.fetch(`${API}/failoverPlans`, { headers: json(s.headers) })).json()) as {
    Refs: Array<{ Href: string }>;
  };
  const planHref = plans.Refs[0]?.Href ?? '';
  const planRunning = await text(t.sim, `${planHref}?action=start`, {
    method: 'POST',
    headers: { ...s.headers, 'Content-Type': 'application/xml' },
    body: readFileSync(docsFixture('failover-plan-start-spec.request.xml'), 'utf8'),
  });
  const points = (await (await t.sim.fetch(`${API}/vmReplicaPoints`, { headers: json(s.headers) })).json()) as {
    Refs: Array<{ Href: string }>;
  };
  await t.sim.fetch(`${points.Refs[0]?.Href}?action=failover`, { method: 'POST', headers: s.headers });
  await t.clock.advance(10_000);
  await t.sim.fetch(`${planHref}?action=undo`, { method: 'POST', headers: s.headers });
  await t.clock.advance(10_000);
  return { ...t, s, vm, running, planRunning, planHref };
}
