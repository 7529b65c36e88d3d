import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { linkSignals, SignalFanOut } from '../engine/abort.js';

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

test('fan-out: one abort of the source reaches every follower still attached, with its reason', () => {
  const run = new AbortController();
  const fanOut = new SignalFanOut();
  const a = new AbortController();
  const b = new AbortController();
  const c = new AbortController();
  fanOut.follow(run.signal, a);
  const detachB = fanOut.follow(run.signal, b);
  fanOut.follow(run.signal, c);
  detachB();
  run.abort('interrupted');
  assert.is(a.signal.reason, 'interrupted');
  assert.is(c.signal.reason, 'interrupted');
  assert.not.ok(b.signal.aborted, 'a detached follower is left alone');
});

test('fan-out: a source already aborted aborts the follower at once', () => {
  const run = new AbortController();
  run.abort('gone');
  const follower = new AbortController();
  new SignalFanOut().follow(run.signal, follower);
  assert.is(follower.signal.reason, 'gone');
});

test('fan-out: sources are independent, and a source gets ONE listener however many follow it', () => {
  const one = new AbortController();
  const two = new AbortController();
  let added = 0;
  const add = one.signal.addEventListener.bind(one.signal);
  one.signal.addEventListener = ((...args: Parameters<typeof add>) => {
    added++;
    return add(...args);
  }) as typeof add;
  const fanOut = new SignalFanOut();
  const followers = Array.from({ length: 50 }, () => new AbortController());
  for (const f of followers) fanOut.follow(one.signal, f);
  const other = new AbortController();
  fanOut.follow(two.signal, other);
  assert.is(added, 1);
  two.abort('two');
  assert.ok(followers.every((f) => !f.signal.aborted));
  one.abort('one');
  assert.ok(followers.every((f) => f.signal.reason === 'one'));
  assert.is(other.signal.reason, 'two');
});

test.run();
