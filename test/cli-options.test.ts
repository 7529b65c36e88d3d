// Argument handling of every command, through the built CLI: the help is made from the one
// options table each command parses with; a bad flag is one clean line (exit 2); a param
// given twice is refused, not last-wins.

import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { APPROVE } from '../engine/commands/approve.js';
import type { CommandSpec, OptionTable } from '../engine/commands/options.js';
import { PLAN } from '../engine/commands/plan.js';
import { REPORT } from '../engine/commands/report.js';
import { ROLLBACK } from '../engine/commands/rollback.js';
import { RUN } from '../engine/commands/run.js';
import { SIM } from '../engine/commands/sim.js';
import { STATUS } from '../engine/commands/status.js';
import { VALIDATE } from '../engine/commands/validate.js';
import { runCli } from './helpers/cli.js';

const SPECS: CommandSpec<OptionTable>[] = [VALIDATE, PLAN, RUN, SIM, STATUS, ROLLBACK, APPROVE, REPORT];
const dir = mkdtempSync(join(tmpdir(), 'runbook-options-'));

test('every command: --help shows each option of the table it parses with, with its default', async () => {
  for (const spec of SPECS) {
    const r = await runCli([spec.name, '--help']);
    assert.is(r.code, 0, spec.name);
    assert.ok(r.stdout.startsWith(`Usage: runbook ${spec.name} `), spec.name);
    for (const [name, o] of Object.entries(spec.options)) {
      const row = new RegExp(`^  (-${o.short}, )?--${name}${o.arg !== undefined ? ` ${o.arg.replace(/[|.]/g, '\\$&')}` : ''}  `, 'm');
      assert.match(r.stdout, row, `${spec.name} --${name}`);
      if (o.default !== undefined) assert.ok(r.stdout.includes(`(default ${o.default})`), `${spec.name} --${name} default`);
    }
    assert.match(r.stdout, /^ {2}-h, --help {2,}this help$/m);
  }
});

test('every command: an unknown flag is one line naming it and --help, exit 2', async () => {
  for (const spec of SPECS) {
    const r = await runCli([spec.name, '--bogus-flag']);
    assert.is(r.code, 2, spec.name);
    assert.is(r.stderr, `runbook: unknown option --bogus-flag (see 'runbook ${spec.name} --help')\n`);
  }
});

test('a flag without its value, or a value given to a switch, is one line (exit 2)', async () => {
  let r = await runCli(['plan', 'pb.yaml', '--server']);
  assert.is(r.code, 2);
  assert.is(r.stderr, "runbook: --server needs a value (see 'runbook plan --help')\n");
  r = await runCli(['run', 'pb.yaml', '--yes=please']);
  assert.is(r.code, 2);
  assert.is(r.stderr, "runbook: --yes takes no value (see 'runbook run --help')\n");
});

test('a --param given twice for one name is an error (exit 2), before anything is sent', async () => {
  writeFileSync(
    join(dir, 'pb.yaml'),
    'version: 1\nname: p\nparams:\n  site: {type: string}\nsteps:\n  - id: db\n    failover: {cdpReplica: C, vms: [v1]}\n',
  );
  for (const command of ['plan', 'run']) {
    const log = join(dir, `${command}.jsonl`);
    const r = await runCli([command, 'pb.yaml', '--simulate', '--param', 'site=east', '--param', 'site=west', '--sim-log', log], {
      cwd: dir,
    });
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, '--param site is given twice ("east" and "west"): give each param once');
    assert.not.ok(existsSync(log), 'nothing was sent');
  }
  const ok = await runCli(['plan', 'pb.yaml', '--simulate', '--param', 'site=east'], { cwd: dir });
  assert.is(ok.code, 0, ok.stderr);
});

test.run();
