// The CDP failover spec in the simulator (API spec §12): CdpFailoverStartSpec validation (400
// with a useful message, no task), the spellings of its elements, and which restore point wins.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FAILOVER_XML, NS, demoVm, failover, logon, taskIdOf, taskOf, testSim, successOf } from './helpers/simulator.js';

test('CdpFailoverStartSpec validation: 400 with a useful message, no task', async () => {
  const { sim } = testSim();
  const s = await logon(sim);
  const vm = await demoVm(sim, s.headers);
  const bad: Array<[string, string | RegExp]> = [
    [`<CdpFailoverStartSpec xmlns="${NS}"><RestoreCurrent>true</RestoreCurrent></CdpFailoverStartSpec>`, 'RestoreCurrentVss is required'],
    [
      `<CdpFailoverStartSpec xmlns="${NS}"><RestoreCurrentVss>false</RestoreCurrentVss><RestoreCurrent>true</RestoreCurrent></CdpFailoverStartSpec>`,
      'must come before',
    ],
    [FAILOVER_XML(false, false), 'nothing to fail over to'],
    [FAILOVER_XML(false, false, '<RestoreAtPointinTime>2026-01-01T00:00:00+02:00</RestoreAtPointinTime>'), 'not a UTC DateTime'],
    [FAILOVER_XML(false, false, '<RestoreAtInterval>yesterday</RestoreAtInterval>'), 'not a UTC DateTime'],
    [FAILOVER_XML(true, 'maybe' as unknown as boolean), 'must be true or false'],
    [
      `<CdpFailoverStartSpec xmlns="${NS}"><RestoreCurrent>true</RestoreCurrent><RestoreCurrentVss>false</RestoreCurrentVss><Bogus/></CdpFailoverStartSpec>`,
      'unknown element Bogus',
    ],
    [
      `<FailoverSpec xmlns="${NS}"><RestoreCurrent>true</RestoreCurrent><RestoreCurrentVss>false</RestoreCurrentVss></FailoverSpec>`,
      'Expected root element CdpFailoverStartSpec',
    ],
    [`<CdpFailoverStartSpec><RestoreCurrent>true</CdpFailoverStartSpec>`, 'There is an error in XML document'],
    ['', 'body is required'],
  ];
  for (const [body, message] of bad) {
    const x = await sim.fetch(`${vm.vmHref}?action=failover`, {
      method: 'POST',
      headers: { ...s.headers, 'Content-Type': 'application/xml' },
      body,
    });
    assert.is(x.status, 400, `${body} → ${x.status}`);
    assert.match(await x.text(), message);
  }
  const noType = await sim.fetch(`${vm.vmHref}?action=failover`, { method: 'POST', headers: s.headers, body: FAILOVER_XML() });
  assert.is(noType.status, 400);
  assert.match(await noType.text(), 'send application/xml or application/json');
  assert.is(sim.state.tasks.length, 0);
  assert.is((await sim.fetch(`${vm.vmHref}?action=frobnicate`, { method: 'POST', headers: s.headers })).status, 400);
});

test('spelling and precedence: RestoreAtPointInTime any case; RestoreCurrent beats the dates', async () => {
  const { sim, clock } = testSim();
  const s = await logon(sim);
  const pit = new Date(clock.now() - 3_600_000).toISOString().slice(0, 19);
  for (const [i, spelling] of ['RestoreAtPointinTime', 'RestoreAtPointInTime', 'restoreatpointintime'].entries()) {
    const vm = await demoVm(sim, s.headers, i);
    const r = await failover(sim, s.headers, vm.vmHref, FAILOVER_XML(false, false, `<${spelling}>${pit}Z</${spelling}>`));
    assert.is(r.status, 202, spelling);
  }
  // Out of the history: the task fails with the reason, the VM is untouched.
  const vm3 = await demoVm(sim, s.headers, 3);
  const old = await taskIdOf(
    await failover(sim, s.headers, vm3.vmHref, FAILOVER_XML(false, false, '<RestoreAtInterval>2020-01-01T00:00:00</RestoreAtInterval>')),
  );
  await clock.advance(5000);
  const res = (await taskOf(sim, s.headers, old)).body.Result as Record<string, unknown>;
  assert.is(res.Success, false);
  assert.match(String(res.Message), 'No restore point is available at 2020-01-01T00:00:00');
  assert.not.ok(sim.state.vms.find((v) => v.id === vm3.vmId)?.failedOver);
  // RestoreCurrent=true wins over an out-of-range date (doc example sends both, §12 #5).
  const t = testSim();
  const s2 = await logon(t.sim);
  const v = await demoVm(t.sim, s2.headers);
  const id = await taskIdOf(
    await failover(t.sim, s2.headers, v.vmHref, FAILOVER_XML(true, false, '<RestoreAtInterval>2020-01-01T00:00:00</RestoreAtInterval>')),
  );
  await t.clock.advance(5000);
  assert.is(await successOf(t.sim, s2.headers, id), true);
});

test.run();
