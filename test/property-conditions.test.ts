// Properties of `when` evaluation (engine/plan/conditions.ts), three-valued (Kleene):
// double negation, empty all/any, De Morgan, and all/any as folds of their parts.

import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluateCondition, type ConditionContext } from '../engine/plan/conditions.js';
import type { Condition, StepOutcome } from '../engine/playbook/types.js';

const STEPS = ['a', 'b', 'c'];
const OUTCOMES: StepOutcome[] = ['succeeded', 'failed', 'skipped'];

const leaf: fc.Arbitrary<Condition> = fc.oneof(
  fc.record({ step: fc.constantFrom(...STEPS), is: fc.subarray(OUTCOMES, { minLength: 1 }) }),
  fc.record({ param: fc.constantFrom('p', 'q'), equals: fc.constantFrom<string | number | boolean>('x', 1, true) }),
  fc.record({ env: fc.constantFrom('E', 'F'), set: fc.boolean() }),
  fc.record({ env: fc.constantFrom('E', 'F'), equals: fc.constantFrom('1', 'yes') }),
);
const { cond } = fc.letrec<{ cond: Condition }>((tie) => ({
  cond: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ not: tie('cond') }),
    fc.record({ all: fc.array(tie('cond'), { maxLength: 3 }) }),
    fc.record({ any: fc.array(tie('cond'), { maxLength: 3 }) }),
  ),
}));
/** A context: step outcomes known (run time) or not (plan time: undefined values appear). */
const context: fc.Arbitrary<ConditionContext> = fc
  .record({
    params: fc.record({
      p: fc.constantFrom<string | number | boolean>('x', 'y', 1, 0, true, false),
      q: fc.constantFrom<string | number | boolean>('x', 2),
    }),
    env: fc.record({
      E: fc.constantFrom<string | undefined>(undefined, '', '1', 'yes'),
      F: fc.constantFrom<string | undefined>(undefined, '1'),
    }),
    outcomes: fc.option(
      fc.tuple(...STEPS.map(() => fc.constantFrom(...OUTCOMES))).map((os) => new Map(STEPS.map((s, i) => [s, os[i]!]))),
      { nil: undefined },
    ),
  })
  .map(
    (c): ConditionContext =>
      c.outcomes === undefined ? { params: c.params, env: c.env } : { params: c.params, env: c.env, outcomes: c.outcomes },
  );

const RUNS = { numRuns: 500, seed: 1234 };
const kNot = (v: boolean | undefined) => (v === undefined ? undefined : !v);

test('not(not(c)) == c', () => {
  fc.assert(
    fc.property(cond, context, (c, ctx) => evaluateCondition({ not: { not: c } }, ctx) === evaluateCondition(c, ctx)),
    RUNS,
  );
});

test('all([]) is true, any([]) is false, whatever the context', () => {
  fc.assert(
    fc.property(context, (ctx) => evaluateCondition({ all: [] }, ctx) === true && evaluateCondition({ any: [] }, ctx) === false),
    RUNS,
  );
});

test('De Morgan: not(all(xs)) == any(not x…) and not(any(xs)) == all(not x…)', () => {
  fc.assert(
    fc.property(fc.array(cond, { maxLength: 4 }), context, (xs, ctx) => {
      const nots = xs.map((x) => ({ not: x }));
      assert.is(evaluateCondition({ not: { all: xs } }, ctx), evaluateCondition({ any: nots }, ctx));
      assert.is(evaluateCondition({ not: { any: xs } }, ctx), evaluateCondition({ all: nots }, ctx));
    }),
    RUNS,
  );
});

test('all/any are the Kleene folds of their parts; a known context never yields undefined', () => {
  fc.assert(
    fc.property(fc.array(cond, { maxLength: 4 }), context, (xs, ctx) => {
      const vs = xs.map((x) => evaluateCondition(x, ctx));
      const all = vs.includes(false) ? false : vs.includes(undefined) ? undefined : true;
      const any = vs.includes(true) ? true : vs.includes(undefined) ? undefined : false;
      assert.is(evaluateCondition({ all: xs }, ctx), all);
      assert.is(evaluateCondition({ any: xs }, ctx), any);
      assert.is(kNot(evaluateCondition({ all: xs }, ctx)), evaluateCondition({ not: { all: xs } }, ctx));
      if (ctx.outcomes)
        assert.ok(
          vs.every((v) => v !== undefined),
          'undefined with every outcome known',
        );
    }),
    RUNS,
  );
});

test.run();
