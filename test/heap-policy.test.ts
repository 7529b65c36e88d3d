import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HEAP_GROWING_PERCENT, nodeMajor, runV8Flags } from '../engine/commands/heap-policy.js';

const POLICY = [`--heap-growing-percent=${HEAP_GROWING_PERCENT}`];

test('runbook run bounds how far the heap grows between full collections by default', () => {
  assert.equal(runV8Flags([], 20), POLICY);
  assert.equal(runV8Flags(['--enable-source-maps', '--max-old-space-size=1024'], 24), POLICY);
});

test('a growing factor the user started node with wins, in either spelling', () => {
  assert.equal(runV8Flags(['--heap-growing-percent=300'], 20), []);
  assert.equal(runV8Flags(['--trace-gc', '--heap_growing_percent=0'], 20), []);
  assert.equal(runV8Flags(['--heap-growing-percent'], 20), []);
});

test('a flag that only starts the same way is not taken for the user choosing one', () => {
  assert.equal(runV8Flags(['--heap-growing-percentage=1', '--no-heap-growing-percent-x'], 20), POLICY);
});

test('on a Node major it was not verified on, nothing is set (V8 would print an error for a dropped flag)', () => {
  assert.equal(runV8Flags([], 19), []);
  assert.equal(runV8Flags([], 26), []);
  assert.equal(runV8Flags([], NaN), []);
});

test('the major version is read from process.version', () => {
  assert.is(nodeMajor('v20.20.2'), 20);
  assert.is(nodeMajor('v24.21.0'), 24);
  assert.ok(Number.isNaN(nodeMajor('unknown')));
  assert.is(nodeMajor(process.version), Number(process.versions.node.split('.')[0]));
});

test.run();
