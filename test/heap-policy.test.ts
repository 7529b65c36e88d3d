import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HEAP_GROWING_PERCENT, runV8Flags } from '../engine/commands/heap-policy.js';

const POLICY = [`--heap-growing-percent=${HEAP_GROWING_PERCENT}`];

test('runbook run bounds how far the heap grows between full collections by default', () => {
  assert.equal(runV8Flags([]), POLICY);
  assert.equal(runV8Flags(['--enable-source-maps', '--max-old-space-size=1024']), POLICY);
});

test("a growing factor the user started node with wins, in either spelling", () => {
  assert.equal(runV8Flags(['--heap-growing-percent=300']), []);
  assert.equal(runV8Flags(['--trace-gc', '--heap_growing_percent=0']), []);
  assert.equal(runV8Flags(['--heap-growing-percent']), []);
});

test('a flag that only starts the same way is not taken for the user choosing one', () => {
  assert.equal(runV8Flags(['--heap-growing-percentage=1', '--no-heap-growing-percent-x']), POLICY);
});

test.run();
