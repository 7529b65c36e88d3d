// `runbook sim` as a user runs it: spawn the built CLI, wait for the URL, talk to it,
// SIGTERM → exit 0. Plus argument errors (exit 2) and --help.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { startSim } from './helpers/sim-process.js';

test('runbook sim: serves the demo on loopback, logs requests without secrets, SIGTERM → 0', async () => {
  const sim = await startSim([]);
  assert.match(sim.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const root = await fetch(`${sim.url}/api/`);
  assert.is(root.status, 200);
  assert.match(await root.text(), '<EnterpriseManager');
  const logon = await fetch(`${sim.url}/api/sessionMngr/?v=latest`, {
    method: 'POST',
    headers: { Authorization: `Basic ${Buffer.from('runbook:runbook-demo').toString('base64')}` },
  });
  assert.is(logon.status, 201);
  const token = logon.headers.get('x-restsvcsessionid') ?? '';
  await logon.text();
  assert.is((await fetch(`${sim.url}/api/cdpReplicas`, { headers: { 'X-RestSvcSessionId': token } })).status, 200);
  const code = await sim.stop('SIGTERM');
  assert.is(code, 0);
  // The simulator has nothing to roll back: it says it stops, not that it rolls back.
  assert.match(sim.stderr(), 'SIGTERM received: stopping');
  assert.not.match(sim.stderr(), 'rolling back');
  const out = sim.stdout();
  assert.match(out, 'username: runbook');
  assert.match(out, 'runbook-demo (demo default)');
  assert.match(out, '3 CDP replicas');
  // Every name a playbook can use, at start.
  assert.match(out, 'CDP replica "ERP-CDP": "erp-db01", "erp-db02", "erp-app01", "erp-app02"');
  assert.match(out, 'vApp "web-vapp": "web-vapp-lb", "web-vapp-app"');
  assert.match(out, 'failover plan "DNS cutover plan": "dns01", "dns02"');
  assert.match(out, /s1\s+GET \/api\/cdpReplicas → 200/);
  assert.match(out, 'simulator stopped');
  assert.not.ok(out.includes(token));
});

test('runbook sim: admin from VEEAM_EM_USERNAME/PASSWORD (password never printed), --inventory, --tls', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-cli-'));
  const inventory = join(dir, 'inv.yaml');
  writeFileSync(inventory, 'cdpReplicas: [{name: Only, vms: [one]}]\n');
  const sim = await startSim(['--inventory', inventory, '--tls', '--seed', '3'], {
    VEEAM_EM_USERNAME: 'boss',
    VEEAM_EM_PASSWORD: 's3cret-pw',
  });
  assert.match(sim.url, /^https:/);
  const ca = /CA certificate: (\S+)/.exec(sim.stdout())?.[1] ?? '';
  assert.match(readFileSync(ca, 'utf8'), 'BEGIN CERTIFICATE');
  assert.is(await sim.stop('SIGTERM'), 0);
  assert.not.ok(existsSync(dirname(ca)), 'the temporary CA folder is removed on SIGTERM');
  const out = sim.stdout();
  assert.match(out, 'username: boss');
  assert.not.ok(out.includes('s3cret-pw'));
  assert.match(out, '1 CDP replica (1 VM)');
});

test('runbook sim --quiet: the inventory counted, not listed', async () => {
  const sim = await startSim(['--quiet']);
  assert.is(await sim.stop('SIGTERM'), 0);
  assert.match(sim.stdout(), '3 CDP replicas (9 VMs), 1 vApp, 1 failover plan');
  assert.not.match(sim.stdout(), 'CDP replica "ERP-CDP"');
});

test('runbook sim: bad arguments exit 2 with a clear message; --help exits 0', async () => {
  const help = await runCli(['sim', '--help']);
  assert.is(help.code, 0);
  assert.match(help.stdout, '--from-playbook FILE');
  const bad = await runCli(['sim', '--port', 'seventy']);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, '--port: "seventy" is not an integer');
  const both = await runCli(['sim', '--inventory', 'a.yaml', '--from-playbook', 'b.yaml']);
  assert.is(both.code, 2);
  const half = await runCli(['sim'], { env: { VEEAM_EM_USERNAME: 'x' } });
  assert.is(half.code, 2);
  const missing = await runCli(['sim', '--inventory', '/nonexistent/inv.yaml']);
  assert.is(missing.code, 2);
  assert.match(missing.stderr, 'cannot read inventory');
  assert.not.match(missing.stderr, /\n\s+at /);
});

test.run();
