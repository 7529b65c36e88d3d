import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock } from '../engine/clock.js';

test('advance wakes sleepers in deadline order and sets time', async () => {
  const clock = new FakeClock({ start: 0 });
  const woke: string[] = [];
  void clock.sleep(300).then(() => woke.push(`b@${clock.now()}`));
  void clock.sleep(100).then(() => woke.push(`a@${clock.now()}`));
  await clock.advance(200);
  assert.equal(woke, ['a@100']);
  await clock.advance(200);
  assert.equal(woke, ['a@100', 'b@300']);
  assert.is(clock.now(), 400);
});

test('auto mode jumps to the earliest deadline once nothing else can run', async () => {
  const clock = new FakeClock({ start: 0, auto: true });
  let polls = 0;
  while (polls < 120) {
    await clock.sleep(5_000);
    polls++;
  }
  assert.is(clock.now(), 600_000);
});

test('an aborted sleep rejects with the signal reason and leaves no sleeper', async () => {
  const clock = new FakeClock({ start: 0 });
  const controller = new AbortController();
  const pending = clock.sleep(1_000, controller.signal);
  controller.abort(new Error('stop'));
  await pending.then(
    () => assert.unreachable('should reject'),
    (e: Error) => assert.is(e.message, 'stop'),
  );
  assert.is(clock.pending, 0);
});

test.run();
