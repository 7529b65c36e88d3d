// Rules about step identity and ordering.

import { suggest } from '../schema-errors.js';
import { allSteps, conditionLeaves, type Rule, type StepVisit } from './context.js';

/** Step ids are unique across the whole playbook, parallel groups included. */
export const uniqueStepIds: Rule = (ctx) => {
  const first = new Map<string, StepVisit>();
  for (const visit of allSteps(ctx.playbook.steps)) {
    const earlier = first.get(visit.step.id);
    if (!earlier) {
      first.set(visit.step.id, visit);
      continue;
    }
    ctx.report({
      path: [...visit.path, 'id'],
      code: 'rule/unique-step-ids',
      message: `step id "${visit.step.id}" is already used by ${label(earlier)}; give each step its own id`,
    });
  }
};

/**
 * A `when: {step: x}` names a step whose outcome is known when this one starts: an earlier
 * step, not itself, not a later one, and not one running in the same parallel group.
 */
export const conditionsReferToEarlierSteps: Rule = (ctx) => {
  const visits = allSteps(ctx.playbook.steps);
  const index = new Map(visits.map((v, i) => [v.step.id, i] as const));
  visits.forEach((visit, position) => {
    const when = visit.step.when;
    if (!when) return;
    for (const { leaf, path } of conditionLeaves(when, [...visit.path, 'when'])) {
      if (!('step' in leaf)) continue;
      const report = (message: string) =>
        ctx.report({ path: [...path, 'step'], label: [...visit.path, 'when'], code: 'rule/condition-order', message });
      const target = index.get(leaf.step);
      const here = visit.step.id;
      if (target === undefined) {
        // A step that failed the schema is not in this view; its id may be the one named.
        if (ctx.partial?.skippedStepIds.has(leaf.step)) continue;
        const hint = suggest(leaf.step, [...index.keys()]);
        report(
          `no step has the id "${leaf.step}"${hint ? ` (did you mean "${hint}"?)` : ''}; a condition can only refer to an earlier step`,
        );
      } else if (target === position) {
        report(`step "${here}" refers to itself; a condition can only refer to an earlier step`);
      } else if (target > position) {
        const other = visits[target]!;
        if (isAncestor(visit, other)) {
          report(
            `step "${leaf.step}" is inside the group "${here}", ` +
              `which has not finished when its condition is checked; refer to an earlier step`,
          );
        } else {
          report(`step "${leaf.step}" is defined after "${here}"; a condition can only refer to an earlier step`);
        }
      } else {
        const other = visits[target]!;
        if (isAncestor(other, visit)) {
          report(
            `step "${leaf.step}" is the parallel group containing "${here}", ` +
              `so its outcome is not known yet; refer to a step before the group`,
          );
        } else if (sameGroupRun(visit, other)) {
          report(
            `step "${leaf.step}" runs in parallel with "${here}" (same parallel group), ` +
              `so its outcome is not known yet; move one of them out of the group`,
          );
        }
      }
    }
  });
};

function label(v: StepVisit): string {
  return v.path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** True when `ancestor` is a (transitive) parallel group containing `visit`. */
function isAncestor(ancestor: StepVisit, visit: StepVisit): boolean {
  for (let g = visit.group; g; g = g.group) if (g === ancestor) return true;
  return false;
}

/** Both steps sit (at any depth) in the same parallel group, in different branches. */
function sameGroupRun(a: StepVisit, b: StepVisit): boolean {
  for (let g = a.group; g; g = g.group) if (isAncestor(g, b)) return true;
  return false;
}
