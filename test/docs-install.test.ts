// The install the README documents works: `npm pack` this project, install the tarball into an
// empty runbook repository as a dev dependency, and run the pinned copy with `npx --no-install`:
// validate and a rehearsal of an example, and the example's schema modeline resolves there.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot } from './helpers/paths.js';

const STEP_TIMEOUT_MS = 120_000;
const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VEEAM_EM_'))), NO_COLOR: '1' };

function sh(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: STEP_TIMEOUT_MS, killSignal: 'SIGKILL' });
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  assert.ok(r.status === 0, `${what} exited ${r.status ?? r.signal}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  return r.stdout;
}

const work = mkdtempSync(join(tmpdir(), 'runbook-install-'));
const project = join(work, 'runbooks');

test.after(() => rmSync(work, { recursive: true, force: true }));

test('npm pack, npm install --save-dev ./vendor/<tarball>, then npx --no-install runbook validates and rehearses an example', () => {
  // The tarball (dist/ is built by `npm test` before the suites; --ignore-scripts keeps the pack
  // from rebuilding it under the feet of other suites).
  const packed = JSON.parse(ok(sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], repoRoot), 'npm pack')) as {
    filename: string;
    files: { path: string }[];
  }[];
  const { filename, files } = packed[0]!;
  const paths = files.map((f) => f.path);
  for (const p of ['dist/cli.js', 'schemas/playbook.schema.json', 'playbooks/erp-tiered-failover.yaml', 'playbooks/README.md']) {
    assert.ok(paths.includes(p), `the package lacks ${p}`);
  }
  assert.not.ok(
    paths.some((p) => p.startsWith('test/') || p.startsWith('engine/')),
    'the package carries sources or tests',
  );

  // An empty runbook repository with the tarball committed under vendor/.
  mkdirSync(join(project, 'vendor'), { recursive: true });
  renameSync(join(work, filename), join(project, 'vendor', filename));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'runbooks', version: '1.0.0', private: true }));
  ok(sh('npm', ['install', '--save-dev', `./vendor/${filename}`, '--no-audit', '--no-fund', '--prefer-offline'], project), 'npm install');
  const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  assert.is(pkg.devDependencies['cdp-runbook'], `file:vendor/${filename}`);

  // An example copied into the repository's playbooks/, as the docs suggest.
  const installed = join(project, 'node_modules', 'cdp-runbook');
  mkdirSync(join(project, 'playbooks'));
  copyFileSync(join(installed, 'playbooks', 'erp-tiered-failover.yaml'), join(project, 'playbooks', 'erp.yaml'));

  // Its modeline points at the installed schema, relative to the playbook file.
  const modeline = readFileSync(join(project, 'playbooks', 'erp.yaml'), 'utf8').split('\n')[0]!;
  const schemaRef = /^# yaml-language-server: \$schema=(\S+)$/.exec(modeline)?.[1];
  assert.ok(schemaRef && !/^[a-z]+:/i.test(schemaRef), `modeline: ${modeline}`);
  const schemaFile = resolve(dirname(join(project, 'playbooks', 'erp.yaml')), schemaRef!);
  assert.ok(existsSync(schemaFile), `the modeline's schema does not resolve: ${schemaFile}`);
  assert.is(
    (JSON.parse(readFileSync(schemaFile, 'utf8')) as { title?: string; $schema?: string }).$schema,
    'https://json-schema.org/draft/2020-12/schema',
  );

  const validated = ok(
    sh('npx', ['--no-install', 'runbook', 'validate', 'playbooks/', 'node_modules/cdp-runbook/playbooks/'], project),
    'runbook validate',
  );
  assert.match(validated, /5 playbooks checked: 5 valid, 0 invalid/);
  const ran = ok(
    sh('npx', ['--no-install', 'runbook', 'run', 'playbooks/erp.yaml', '--simulate', '--yes'], project),
    'runbook run --simulate',
  );
  assert.match(ran, /"ERP tiered failover" succeeded/);
  assert.match(ran, /failed over: +erp-db01, erp-db02, erp-app01, erp-app02/);
});

test.run();
