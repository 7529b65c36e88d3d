import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HEAP_GROWING_PERCENT, runV8Flags } from '../engine/commands/heap-policy.js';

test('runbook run bounds how far the heap grows between full collections by default', () => {
  assert.equal(runV8Flags([], undefined), [`--heap-growing-percent=${HEAP_GROWING_PERCENT}`]);
  assert.equal(runV8Flags(['--enable-source-maps'], '--max-old-space-size=1024'), [`--heap-growing-percent=${HEAP_GROWING_PERCENT}`]);
});

test("the user's own growing factor wins, as a node flag or in NODE_OPTIONS, in either spelling", () => {
  assert.equal(runV8Flags(['--heap-growing-percent=300'], undefined), []);
  assert.equal(runV8Flags([], '--trace-gc  --heap_growing_percent=20'), []);
  assert.equal(runV8Flags([], '--heap-growing-percent'), []);
});

test('a flag that only starts the same way is not taken for the user choosing one', () => {
  assert.equal(runV8Flags(['--heap-growing-percentage=1'], '--no-heap-growing-percent-x'), [`--heap-growing-percent=${HEAP_GROWING_PERCENT}`]);
});

test.run();
