// The malformed-playbook corpus against `plan` and `run`, in `--simulate` mode and against
// a `--server` on loopback that counts connections: each case must be refused with exit 2
// and a positioned message (file:line:col), no stack trace, and NOTHING sent: no simulator
// is even created (its --sim-log is never written) and the server sees no connection.
// Commands run in process (the same code cli.ts calls, with cli.ts's error mapping) so
// ~250 cases stay fast; a few go through the real CLI to check the process edge as well.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Command, CommandIO } from '../engine/io.js';
import { planCommand } from '../engine/commands/plan.js';
import { runCommand } from '../engine/commands/run.js';
import { ExitCode, RunbookError } from '../engine/errors.js';
import { publishTable, renderTable, type Row } from './drills/table.js';
import { BAD } from './fixtures/bad/corpus.js';
import { runCli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'bad-input-'));
const names = [...Object.keys(BAD), 'a-directory', 'missing'];
for (const [name, content] of Object.entries(BAD)) writeFileSync(join(dir, `${name}.yaml`), content);
mkdirSync(join(dir, 'a-directory.yaml'));
const GOOD = 'version: 1\nname: Good\nsteps:\n  - id: db\n    failover: {cdpReplica: ERP-CDP, vms: [erp-db01]}\n';
writeFileSync(join(dir, 'good.yaml'), GOOD);

const SERVER_ENV = { VEEAM_EM_USERNAME: 'drill', VEEAM_EM_PASSWORD: 'not-a-real-password' };
let connections = 0;
let server: Server;
let url = '';

/** What cli.ts does with a command's result or error, without the process. */
async function invoke(
  command: Command,
  argv: string[],
  env: Record<string, string> = SERVER_ENV,
): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  let stdout = '';
  let stderr = '';
  const io: CommandIO = {
    stdout: {
      write: (t) => {
        stdout += t;
      },
      isTTY: false,
    },
    stderr: {
      write: (t) => {
        stderr += t;
      },
      isTTY: false,
    },
    env,
    cwd: dir,
    signal: new AbortController().signal,
  };
  const t0 = performance.now();
  let code: number;
  try {
    code = await command(argv, io);
  } catch (error) {
    if (error instanceof RunbookError && error.userFacing) {
      stderr += `runbook: ${error.message}\n`;
      code = error.exitCode;
    } else {
      stderr += `runbook: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`;
      code = ExitCode.internal;
    }
  }
  return { code, stdout, stderr, ms: performance.now() - t0 };
}

const VARIANTS: Array<{ label: string; command: Command; args: (file: string, simLog: string) => string[]; env?: Record<string, string> }> =
  [
    { label: 'plan --simulate', command: planCommand, args: (f, log) => [f, '--simulate', '--sim-log', log], env: {} },
    {
      label: 'run --simulate',
      command: runCommand,
      args: (f, log) => [f, '--simulate', '--sim-log', log, '--state-dir', join(dir, 'state')],
      env: {},
    },
    { label: 'plan --server', command: planCommand, args: (f) => [f, '--server', url] },
    { label: 'run --server --yes', command: runCommand, args: (f) => [f, '--server', url, '--yes', '--state-dir', join(dir, 'state')] },
  ];

const rows: Row[] = [];

test.before(async () => {
  server = createServer((_req, res) => {
    res.writeHead(401).end();
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  publishTable(
    'runbook-bad-input',
    renderTable(
      `Bad input: ${names.length} malformed playbooks × plan/run`,
      ['exit 2', 'positioned', 'no stack', 'nothing sent', 'max ms'],
      rows,
    ),
  );
});

test('the controls: a good playbook does reach the simulator and the server', async () => {
  const log = join(dir, 'good-sim.jsonl');
  const r = await invoke(planCommand, [join(dir, 'good.yaml'), '--simulate', '--sim-log', log], {});
  assert.is(r.code, 0, r.stderr);
  assert.match(readFileSync(log, 'utf8'), '"path":"/sessionMngr/"', 'a good plan logs on to the simulator');
  const before = connections;
  const r2 = await invoke(planCommand, [join(dir, 'good.yaml'), '--server', url]);
  assert.is(r2.code, 4, r2.stderr);
  assert.ok(connections > before, 'the counting server sees a good plan connect');
  connections = 0;
});

for (const v of VARIANTS) {
  test(`${v.label}: ${names.length} malformed playbooks each exit 2, positioned, no stack trace, nothing sent`, async () => {
    assert.ok(names.length >= 50);
    const bad: string[] = [];
    let max = 0;
    const cells = { 'exit 2': 0, positioned: 0, 'no stack': 0, 'nothing sent': 0 };
    for (const name of names) {
      const file = join(dir, `${name}.yaml`);
      const log = join(dir, `${name}-${v.label.replace(/\W+/g, '-')}.jsonl`);
      const before = connections;
      const r = await invoke(v.command, v.args(file, log), v.env);
      max = Math.max(max, r.ms);
      const out = r.stdout + r.stderr;
      if (r.code === 2) cells['exit 2']++;
      else bad.push(`${name}: exit ${r.code}: ${out.slice(0, 300)}`);
      // missing.yaml has no position to give: its message names the file instead.
      const positioned =
        name === 'missing' ? out.includes(file) : new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `).test(r.stderr);
      if (positioned) cells.positioned++;
      else bad.push(`${name}: no file:line:col in ${JSON.stringify(r.stderr.slice(0, 200))}`);
      if (!/\n\s+at |internal error/.test(out)) cells['no stack']++;
      else bad.push(`${name}: stack trace`);
      if (connections === before && !existsSync(log)) cells['nothing sent']++;
      else bad.push(`${name}: something was sent (connections ${connections - before}, sim log ${existsSync(log)})`);
    }
    const n = names.length;
    rows.push({
      fault: v.label,
      cells: { ...Object.fromEntries(Object.entries(cells).map(([k, c]) => [k, `${c}/${n}`])), 'max ms': String(Math.round(max)) },
    });
    assert.equal(bad, []);
  });
}

test('through the real CLI: a syntax error, binary garbage and 10 MB exit 2 with no stack trace and no connection', async () => {
  const before = connections;
  for (const name of ['syntax-unclosed-flow', 'binary-garbage', 'ten-megabytes']) {
    const file = join(dir, `${name}.yaml`);
    const r = await runCli(['run', file, '--server', url, '--yes', '--state-dir', join(dir, 'state')], {
      env: { VEEAM_EM_USERNAME: 'u', VEEAM_EM_PASSWORD: 'p' },
    });
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`^runbook: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `));
    assert.not.match(r.stderr, /\n\s+at /);
  }
  assert.is(connections, before);
});

test.run();
