// The fault matrix: every drill in test/drills/faults.ts runs the standard 20-VM fan-out
// against the simulator through the engine's run entry point (FakeClock in auto mode, so
// tens of virtual minutes take milliseconds), then the four invariants are checked from
// the simulator's request log and model state, the journal and the report. The table of
// faults × invariants is printed and written under the OS tmp dir.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DRILLS, type Drill } from './drills/faults.js';
import { checkI1, checkI2, checkI3, checkI4, checkI5, INVARIANTS, type InvariantId } from './drills/invariants.js';
import { runDrill, type DrillRun } from './drills/scenario.js';
import { publishTable, renderTable, type Row } from './drills/table.js';

const rows: Row[] = [];

function outcomeProblems(d: Drill, run: DrillRun): string[] {
  const bad: string[] = [];
  if (run.exitCode !== d.exit) bad.push(`exit ${run.exitCode}, expected ${d.exit}${run.thrown ? ` (${run.thrown})` : ''}`);
  const unknown = run.report.steps.flatMap((s) => s.vms ?? []).filter((v) => v.state === 'unknown').length;
  if (unknown !== (d.unknown ?? 0)) bad.push(`${unknown} VMs unknown, expected ${d.unknown ?? 0}`);
  return bad;
}

for (const d of DRILLS) {
  for (const media of d.json ? (['xml', 'json'] as const) : (['xml'] as const)) {
    const label = `${d.fault} [${media}]`;
    test(label, async () => {
      const run = await runDrill({ ...d, name: `${d.fault}-${media}`, media });
      const found: Record<InvariantId | 'exit', string[]> = {
        I1: checkI1(run.sim.log, run.sim.state),
        I2: checkI2(run),
        I3: checkI3(run),
        I4: checkI4(run),
        I5: checkI5(run),
        exit: outcomeProblems(d, run),
      };
      const fired = run.sim.log.filter((e) => e.fault !== undefined).length;
      const cells = Object.fromEntries(Object.entries(found).map(([k, v]) => [k, v.length === 0 ? 'ok' : 'FAIL']));
      const unknown = run.report.manual.filter((m) => m.reason === 'unknown').map((m) => m.target);
      rows.push({
        fault: label,
        cells,
        note: `${fired} faults fired, ${run.sim.log.length} requests${unknown.length ? `, unknown: ${unknown.join(' ')}` : ''}`,
      });
      const failures = Object.entries(found).flatMap(([k, v]) => v.map((m) => `${k}: ${m}`));
      // A drill whose fault never fired proves nothing.
      if (d.faults.length > 0) assert.ok(fired > 0, `${label}: the fault never fired`);
      assert.equal(failures, [], `${label}:\n${failures.join('\n')}\n--- output ---\n${run.output.slice(-3000)}`);
    });
  }
}

test.after(() => {
  const text = renderTable('Fault drills: fault × invariant', ['I1', 'I2', 'I3', 'I4', 'I5', 'exit'], rows, {
    ...INVARIANTS,
    exit: 'exit code and number of unknown VMs as expected for the fault',
  });
  publishTable('runbook-drill-matrix', text);
});

test.run();
