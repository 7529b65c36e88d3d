import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { JournalEntry } from '../engine/state/journal-types.js';
import { runCli } from './helpers/cli.js';
import { repoRoot } from './helpers/paths.js';

const fixture = join(repoRoot, 'test/fixtures/reports/partial-failure.json');
const RUN_ID = '20260314T090000Z-erp-dr-7f3a';
const bars = (html: string) => (html.match(/<rect class="bar /g) ?? []).length;
const noStack = (stderr: string) => assert.not.match(stderr, /\n\s+at /);

let dir = '';
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'report-cmd-'));
});
test.after.each(() => rmSync(dir, { recursive: true, force: true }));

test('a report.json renders to --out and the path written is printed', async () => {
  const out = join(dir, 'drill.html');
  const r = await runCli(['report', fixture, '--out', out]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, `${out}\n`);
  const html = readFileSync(out, 'utf8');
  assert.match(html, /^<!DOCTYPE html>/);
  assert.match(
    html,
    /<h1><span class="rehearsal">REHEARSAL \(simulated EM\)<\/span> ERP &lt;prod&gt; &amp; &quot;finance&quot; DR drill<\/h1>/,
  );
  assert.is(bars(html), 13);
  assert.match(html, /generated \d{4}-\d\d-\d\dT/);
});

test('without --out it writes <run-id>.html in the working directory', async () => {
  const r = await runCli(['report', fixture], { cwd: dir });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout.trim(), join(dir, `${RUN_ID}.html`));
  assert.ok(existsSync(join(dir, `${RUN_ID}.html`)));
});

test('a run id is looked up as <state-dir>/runs/<run-id>.report.json', async () => {
  const state = join(dir, 'state');
  mkdirSync(join(state, 'runs'), { recursive: true });
  writeFileSync(join(state, 'runs', `${RUN_ID}.report.json`), readFileSync(fixture));
  const r = await runCli(['report', RUN_ID, '--state-dir', 'state'], { cwd: dir });
  assert.is(r.code, 0, r.stderr);
  assert.is(bars(readFileSync(join(dir, `${RUN_ID}.html`), 'utf8')), 13);
});

test('a run that left only its journal is replayed from it (default state dir .runbook)', async () => {
  const id = '20260315T080000Z-0b1c';
  const at = (s: number) => new Date(Date.UTC(2026, 2, 15, 8, 0, s)).toISOString();
  const entries: JournalEntry[] = [
    {
      at: at(0),
      type: 'run-start',
      runId: id,
      pid: 999_999_999,
      playbook: { name: 'Crashed <drill>', file: '/p.yaml', sha256: 'ab' },
      params: {},
      server: { url: 'https://em.test/api', media: 'xml', simulated: true },
      host: { hostname: 'h', user: 'u' },
    },
    { at: at(1), type: 'step-start', stepId: 'db', name: 'DB', kind: 'failover' },
    {
      at: at(2),
      type: 'request-intent',
      stepId: 'db',
      target: 'vm-a',
      method: 'POST',
      path: '/cdpReplicas/r1/vms/v1?action=failover',
      replica: 'R1',
      restorePoint: 'latest',
    },
    { at: at(3), type: 'request-accepted', stepId: 'db', target: 'vm-a', taskId: 'task-1' },
    { at: at(9), type: 'task-result', stepId: 'db', target: 'vm-a', taskId: 'task-1', success: true },
    {
      at: at(10),
      type: 'request-intent',
      stepId: 'db',
      target: 'vm-b',
      method: 'POST',
      path: '/cdpReplicas/r1/vms/v2?action=failover',
      replica: 'R1',
      restorePoint: 'latest',
    },
  ];
  mkdirSync(join(dir, '.runbook', 'runs'), { recursive: true });
  writeFileSync(join(dir, '.runbook', 'runs', `${id}.jsonl`), entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
  const r = await runCli(['report', id, '--out', 'crash.html'], { cwd: dir });
  assert.is(r.code, 0, r.stderr);
  const html = readFileSync(join(dir, 'crash.html'), 'utf8');
  assert.match(html, /<h1><span class="rehearsal">REHEARSAL \(simulated EM\)<\/span> Crashed &lt;drill&gt;<\/h1>/);
  assert.match(html, /class="bar bar-succeeded" data-row="db\/vm-a"/);
  assert.match(html, /class="bar bar-unknown" data-row="db\/vm-b"/);
  assert.match(html, /id="manual"/);
});

test('a JSON file that is not a run report exits 2 with a clear message and writes nothing', async () => {
  writeFileSync(join(dir, 'other.json'), JSON.stringify({ schema: 'something/else@2', runId: 'x' }));
  const r = await runCli(['report', 'other.json'], { cwd: dir });
  assert.is(r.code, 2);
  assert.match(r.stderr, 'not a cdp-runbook run report ("schema": "something/else@2", expected "cdp-runbook/report@1")');
  noStack(r.stderr);
  assert.equal(readdirSync(dir), ['other.json']);
});

test('broken JSON and a report missing what the page needs exit 2 without a stack trace', async () => {
  writeFileSync(join(dir, 'broken.json'), '{"schema": "cdp-runbook/report@1",');
  let r = await runCli(['report', 'broken.json'], { cwd: dir });
  assert.is(r.code, 2);
  assert.match(r.stderr, /broken\.json: not valid JSON/);
  noStack(r.stderr);
  writeFileSync(join(dir, 'thin.json'), JSON.stringify({ schema: 'cdp-runbook/report@1', runId: 'x', steps: {} }));
  r = await runCli(['report', 'thin.json'], { cwd: dir });
  assert.is(r.code, 2);
  assert.match(r.stderr, /malformed run report:\n {2}- "startedAt" must be a string/);
  assert.match(r.stderr, /"steps" must be an array/);
  noStack(r.stderr);
});

test('a missing file, an unknown run id and a bad run id exit 2', async () => {
  let r = await runCli(['report', 'nope.json'], { cwd: dir });
  assert.is(r.code, 2);
  assert.match(r.stderr, /nope\.json: no such file/);
  r = await runCli(['report', '20260101T000000Z-dead', '--state-dir', dir], { cwd: dir });
  assert.is(r.code, 2);
  assert.match(r.stderr, /no run "20260101T000000Z-dead"/);
  r = await runCli(['report', '..evil'], { cwd: dir });
  assert.is(r.code, 2);
  assert.match(r.stderr, /invalid run id/);
  for (const s of [r.stderr]) noStack(s);
});

test('usage errors exit 2; --help exits 0', async () => {
  let r = await runCli(['report'], { cwd: dir });
  assert.is(r.code, 2);
  assert.match(r.stderr, /expected one run id or report\.json, got 0/);
  r = await runCli(['report', fixture, '--bogus'], { cwd: dir });
  assert.is(r.code, 2);
  assert.match(r.stderr, /^runbook: unknown option --bogus \(see 'runbook report --help'\)\n$/);
  r = await runCli(['report', '--help']);
  assert.is(r.code, 0);
  assert.match(r.stdout, /Usage: runbook report <run-id \| report\.json>/);
});

test.run();
