// #22 item 9: a `parallel` group whose VMs all succeeded must never be drawn `failed`. The
// progress view's verdict for a group is the recorder's step outcome; this runs the shipped
// parallel example several times (timings differ run to run) and reads every line drawn.

import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from './helpers/cli.js';
import { playbooksDir } from './helpers/paths.js';

const playbook = join(playbooksDir, 'vapp-parallel.yaml');

test('a parallel group whose VMs all succeed is drawn completed, never failed, in every run', async () => {
  for (let i = 0; i < 4; i++) {
    const run = await runCli(['run', playbook, '--simulate', '--time-scale', String(300 + 100 * i)]);
    assert.is(run.code, 0, run.stderr);
    const out = run.stdout + run.stderr;
    assert.not.match(out, /\[FAILED\]/, `run ${i + 1} drew a failure:\n${out}`);
    assert.match(out, /\[COMPLETED\] \[[\d:]+\] Fail over analytics and reporting together/);
    assert.match(out, /\[COMPLETED\] \[[\d:]+\] reporting /);
    assert.match(out, /\[COMPLETED\] \[[\d:]+\] analytics /);
    assert.match(out, /succeeded/);
  }
});

test.run();
