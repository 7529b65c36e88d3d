// `plan`'s read-only preflight: run every check step that may run, record its findings in
// the plan, and turn failures into problems (checks that certainly run) or warnings
// (checks whose `when` depends on step outcomes). Sends only reads.

import type { EmClient } from '../api/types.js';
import type { Clock } from '../clock.js';
import { runChecks } from './checks.js';
import { flattenSteps, type Plan } from './types.js';

export async function preflight(plan: Plan, client: EmClient, clock: Clock, signal?: AbortSignal): Promise<void> {
  for (const step of flattenSteps(plan.steps)) {
    if (step.kind !== 'check') continue;
    if (step.whenStatus.known && !step.whenStatus.value) continue;
    if (plan.problems.some((p) => p.startsWith(`step "${step.id}":`))) continue; // names did not resolve
    step.findings = await runChecks(step, client, clock, signal ? { signal } : {});
    for (const f of step.findings) {
      if (f.ok) continue;
      if (step.whenStatus.known) plan.problems.push(`step "${step.id}": ${f.message}`);
      else plan.warnings.push(`step "${step.id}" (${step.whenStatus.text}): ${f.message}`);
    }
  }
}
