// `when` conditions: a pure evaluator over step outcomes, params and env. Three-valued
// (Kleene) logic: at plan time step outcomes are not known yet, so a condition that needs
// one is `undefined` ("runs if …") unless the rest of the expression decides it anyway.

import type { Condition, ParamValue, StepOutcome } from '../playbook/types.js';

export interface ConditionContext {
  params: Record<string, ParamValue>;
  env: Record<string, string | undefined>;
  /** Outcomes so far; absent at plan time (then step conditions are unknown). */
  outcomes?: ReadonlyMap<string, StepOutcome>;
}

/** true / false, or undefined when it depends on a step outcome not known yet. */
export function evaluateCondition(cond: Condition, ctx: ConditionContext): boolean | undefined {
  if ('all' in cond) return combine(cond.all, false, ctx);
  if ('any' in cond) return combine(cond.any, true, ctx);
  if ('not' in cond) {
    const v = evaluateCondition(cond.not, ctx);
    return v === undefined ? undefined : !v;
  }
  if ('step' in cond) {
    if (!ctx.outcomes) return undefined;
    const outcome = ctx.outcomes.get(cond.step);
    // A step that never ran (e.g. the run stopped before it) counts as skipped.
    return cond.is.includes(outcome ?? 'skipped');
  }
  if ('param' in cond) {
    const value = ctx.params[cond.param];
    if (cond.equals !== undefined) return value !== undefined && sameValue(value, cond.equals);
    if (cond.in !== undefined) return value !== undefined && cond.in.some((v) => sameValue(value, v));
    return truthy(value);
  }
  const value = ctx.env[cond.env];
  const isSet = value !== undefined && value !== '';
  if (cond.set !== undefined && cond.set !== isSet) return false;
  if (cond.equals !== undefined) return value === cond.equals;
  if (cond.in !== undefined) return value !== undefined && cond.in.includes(value);
  return cond.set === false ? true : isSet;
}

/** Params come typed from resolveParams, but a `--param x=true` may still be compared as text. */
function sameValue(a: ParamValue, b: ParamValue): boolean {
  return a === b || String(a) === String(b);
}

function truthy(value: ParamValue | undefined): boolean {
  if (value === undefined) return false;
  if (typeof value === 'string') return value !== '' && value !== 'false' && value !== '0';
  return Boolean(value);
}

/** Human text of a condition: `step "db" succeeded and param dr = "site-b"`. */
export function describeCondition(cond: Condition): string {
  if ('all' in cond) return cond.all.map((c) => wrap(c)).join(' and ');
  if ('any' in cond) return cond.any.map((c) => wrap(c)).join(' or ');
  if ('not' in cond) return `not ${wrap(cond.not)}`;
  if ('step' in cond) return `step "${cond.step}" ${cond.is.join(' or ')}`;
  if ('param' in cond) {
    if (cond.equals !== undefined) return `param ${cond.param} = ${JSON.stringify(cond.equals)}`;
    if (cond.in !== undefined) return `param ${cond.param} in [${cond.in.map((v) => JSON.stringify(v)).join(', ')}]`;
    return `param ${cond.param} is true`;
  }
  if (cond.equals !== undefined) return `env ${cond.env} = ${JSON.stringify(cond.equals)}`;
  if (cond.in !== undefined) return `env ${cond.env} in [${cond.in.map((v) => JSON.stringify(v)).join(', ')}]`;
  return cond.set === false ? `env ${cond.env} is not set` : `env ${cond.env} is set`;
}

function wrap(cond: Condition): string {
  const text = describeCondition(cond);
  return 'all' in cond || 'any' in cond ? `(${text})` : text;
}

/**
 * Three-valued AND (decisive = false) or OR (decisive = true): a decisive operand settles it,
 * otherwise any unknown operand leaves it unknown.
 */
function combine(conds: readonly Condition[], decisive: boolean, ctx: ConditionContext): boolean | undefined {
  let unknown = false;
  for (const c of conds) {
    const v = evaluateCondition(c, ctx);
    if (v === decisive) return decisive;
    if (v === undefined) unknown = true;
  }
  return unknown ? undefined : !decisive;
}
