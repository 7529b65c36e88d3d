// `runbook rollback` as a user runs it: the built CLI against the simulator served over HTTP.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClient } from '../engine/api/client.js';
import { systemClock } from '../engine/clock.js';
import { startSimulatorServer } from '../engine/simulator/index.js';
import { runCli } from './helpers/cli.js';
import { cliPath } from './helpers/paths.js';
import { deadPid } from './helpers/dead-pid.js';
import {
  deadRunEntries,
  PASSWORD,
  PLAYBOOK_YAML,
  RUN_ID,
  slowSimulator,
  stateDirFor,
  unknownRequest,
  USER,
} from './helpers/rollback-setup.js';

test('rollback over HTTP: tasks of the dead session are 404 → listed by hand, exit 1; status shows the record', async () => {
  const sim = slowSimulator(systemClock);
  const server = await startSimulatorServer(sim, { port: 0 });
  try {
    const a = createClient({ url: server.url, username: USER, password: PASSWORD });
    const replica = (await a.findCdpReplica('ERP-CDP'))!;
    const vm = (await a.listCdpReplicaVms(replica.id)).find((v) => v.name === 'erp-db01')!;
    const task = await a.failoverCdpVm(replica.id, vm.id, { restoreCurrent: true, restoreCurrentVss: false });
    const s = stateDirFor([...deadRunEntries(deadPid(), [{ vm: 'erp-db01', vmId: vm.id, taskId: task.taskId }]), unknownRequest()]);
    const env = { VEEAM_EM_USERNAME: USER, VEEAM_EM_PASSWORD: PASSWORD };

    const noYes = await runCli(['rollback', '--run', RUN_ID, '--state-dir', s.stateDir, '--server', server.url], { env });
    assert.is(noYes.code, 2);
    assert.match(noYes.stderr, 'pass --yes');

    const r = await runCli(['rollback', '--run', RUN_ID, '--state-dir', s.stateDir, '--server', server.url, '--yes'], { env });
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stdout, `task ${task.taskId} cannot be seen by a new session`);
    assert.match(r.stdout, `VM erp-db01, replica ERP-CDP, task ${task.taskId}`);
    assert.match(r.stdout, 'VM erp-app02, replica ERP-CDP');
    assert.not.ok(r.stdout.includes(PASSWORD) || r.stderr.includes(PASSWORD));
    assert.ok(sim.log.some((e) => e.method === 'GET' && e.path === `/tasks/${task.taskId}` && e.status === 404 && e.session !== 's1'));
    assert.not.ok(readFileSync(join(s.stateDir, 'runs', `${RUN_ID}.jsonl`), 'utf8').includes(PASSWORD));

    const st = await runCli(['status', '--state-dir', s.stateDir, '--run', RUN_ID]);
    assert.is(st.code, 0);
    assert.match(st.stdout, 'UNRESOLVED (2)');
    assert.match(st.stdout, 'ROLLBACK');
    assert.match(st.stdout, `FAILED manual erp-db01 (task ${task.taskId}): task ${task.taskId} cannot be seen`);
    await a.logout();
  } finally {
    await server.close();
  }
});

test("rollback: bad log-on is exit 4 with EM's answer, no stack trace", async () => {
  const sim = slowSimulator(systemClock);
  const server = await startSimulatorServer(sim, { port: 0 });
  try {
    const s = stateDirFor(deadRunEntries(deadPid(), [{ vm: 'erp-db01', vmId: 'x', taskId: 'task-9' }]));
    const r = await runCli(['rollback', '--run', RUN_ID, '--state-dir', s.stateDir, '--server', server.url, '--yes'], {
      env: { VEEAM_EM_USERNAME: USER, VEEAM_EM_PASSWORD: 'wrong' },
    });
    assert.is(r.code, 4, r.stderr);
    assert.match(r.stderr, '401');
    assert.not.match(r.stderr, /\n\s+at /);
  } finally {
    await server.close();
  }
});

/** `runbook run` against `url` (--server), killed with SIGKILL once a failover task runs. */
function runAndKill(dir: string, url: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, 'run', 'pb.yaml', '--server', url, '--yes', '--state-dir', 'state'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
    });
    let out = '';
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (/running \(task-/.test(out)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(guard);
      resolve();
    });
  });
}

test("rollback --run after a run with --server: goes to the URL the run used, not the playbook's; --server still wins", async () => {
  const sim = slowSimulator(systemClock);
  const server = await startSimulatorServer(sim, { port: 0 });
  try {
    const dir = mkdtempSync(join(tmpdir(), 'rollback-url-'));
    writeFileSync(join(dir, 'pb.yaml'), PLAYBOOK_YAML);
    // The playbook's server.url names a port where nothing listens.
    const env = { EM_URL: 'http://127.0.0.1:9', EM_USER: USER, EM_PASSWORD: PASSWORD };
    await runAndKill(dir, server.url, env);
    const runId = readdirSync(join(dir, 'state', 'runs'))[0]!.replace('.jsonl', '');
    const before = sim.log.length;
    const r = await runCli(['rollback', '--run', runId, '--state-dir', 'state', '--yes'], { cwd: dir, env });
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assert.not.match(r.stderr, 'ECONNREFUSED');
    const asked = sim.log.slice(before);
    assert.ok(
      asked.some((e) => e.method === 'POST' && e.path.startsWith('/sessionMngr')),
      'rollback did not log on to the URL the run used',
    );
    assert.ok(
      asked.some((e) => e.path.startsWith('/tasks/')),
      'rollback did not ask about the task',
    );

    // The flag wins; a connection error names the host and port it tried.
    const flagged = await runCli(['rollback', '--run', runId, '--state-dir', 'state', '--yes', '--server', 'http://127.0.0.1:9'], {
      cwd: dir,
      env,
    });
    assert.is(flagged.code, 4, flagged.stderr);
    assert.match(flagged.stderr, 'on 127.0.0.1:9');
    assert.match(flagged.stderr, 'ECONNREFUSED');
  } finally {
    await server.close();
  }
});

test('rollback --help and usage errors', async () => {
  const help = await runCli(['rollback', '--help']);
  assert.is(help.code, 0);
  assert.match(help.stdout, 'belong to the logon session');
  const missing = await runCli(['rollback']);
  assert.is(missing.code, 2);
  assert.match(missing.stderr, '--run ID is required');
});

test.run();
