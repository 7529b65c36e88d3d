// The state dir safety check signed approvals rely on: a state dir others can write to (or
// owned by another user) is refused, with the path and the fix.
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../engine/errors.js';
import { refuseUnsafeStateDir } from '../engine/state/state-dir-safety.js';

test('state dir safety: writable by others or owned by another user is refused with the path and the fix', () => {
  const dir = '/srv/dr/.runbook';
  const passwd = () =>
    new Map([
      [1000, 'ops'],
      [1001, 'mallory'],
    ]);
  const stat =
    (mode: number, uid = 1000) =>
    (p: string) =>
      p === dir
        ? { mode: 0o40000 | mode, uid }
        : (() => {
            throw new Error('ENOENT');
          })();
  assert.not.throws(() => refuseUnsafeStateDir(dir, { stat: stat(0o700), uid: 1000, passwd }));
  assert.throws(
    () => refuseUnsafeStateDir(dir, { stat: stat(0o777), uid: 1000, passwd }),
    (e: Error) =>
      e instanceof UsageError &&
      e.message.includes(`state dir ${dir} can be written by other users (mode 0777)`) &&
      e.message.includes(`chmod -R go-w ${dir}`),
  );
  assert.throws(() => refuseUnsafeStateDir(dir, { stat: stat(0o770), uid: 1000, passwd }), /mode 0770/);
  assert.throws(
    () => refuseUnsafeStateDir(dir, { stat: stat(0o700, 1001), uid: 1000, passwd }),
    (e: Error) =>
      /state dir \/srv\/dr\/\.runbook is owned by mallory, not by you \(ops\).*chown -R ops \/srv\/dr\/\.runbook && chmod -R go-w/.test(
        e.message,
      ),
  );
  // A real world-writable folder, as `run` sees it.
  const real = mkdtempSync(join(tmpdir(), 'ww-'));
  chmodSync(real, 0o777);
  assert.throws(() => refuseUnsafeStateDir(real), /can be written by other users \(mode 0777\)/);
});

test.run();
