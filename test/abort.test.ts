import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { linkSignals } from '../engine/abort.js';

test('aborts with the reason of whichever source aborts first', () => {
  const a = new AbortController();
  const b = new AbortController();
  const linked = linkSignals(a.signal, undefined, b.signal);
  b.abort('deadline');
  a.abort('interrupt');
  assert.ok(linked.signal.aborted);
  assert.is(linked.signal.reason, 'deadline');
});

test('an already aborted source aborts it at once', () => {
  const a = new AbortController();
  a.abort('gone');
  assert.is(linkSignals(a.signal).signal.reason, 'gone');
});

test('dispose detaches it: a later abort of the source no longer reaches it', () => {
  const run = new AbortController();
  const linked = linkSignals(run.signal);
  linked.dispose();
  run.abort('later');
  assert.not.ok(linked.signal.aborted);
});

test.run();
