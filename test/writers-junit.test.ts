import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SecretFilter } from '../engine/state/secret-filter.js';
import { renderJunit, writeJunit } from '../engine/report/junit.js';
import { EM_FAILURE_MESSAGE, FIXTURE_SECRETS, partlyFailedReport } from './helpers/report-fixture.js';

const parse = (xml: string) =>
  new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    isArray: (name) => ['testcase', 'property'].includes(name),
  }).parse(xml);

interface Case {
  name: string;
  classname: string;
  time: string;
  failure?: { message: string; type: string; '#text'?: string };
  skipped?: { message: string };
  error?: { message: string };
  'system-out'?: string;
}

test('the JUnit file is well-formed XML despite <, &, quotes and control characters in names', () => {
  const report = partlyFailedReport();
  report.steps[0]!.name = "RPO guard \u0001 with bell\u0007 and 'apostrophes'";
  const xml = renderJunit(report);
  assert.is(XMLValidator.validate(xml), true);
});

test('each step is a testcase: classname = playbook, name = step, time in seconds, children prefixed by their group', () => {
  const suite = parse(renderJunit(partlyFailedReport())).testsuites.testsuite;
  const cases = suite.testcase as Case[];
  assert.equal(
    cases.map((c) => c.name),
    [
      'RPO guard',
      'Tiers in parallel',
      'Tiers in parallel / Database tier',
      'Tiers in parallel / App tier "A & B"',
      'Notify | chat',
      'Switch DNS',
    ],
  );
  for (const c of cases) assert.is(c.classname, 'ERP <tier-1> & "friends"');
  assert.is(cases[2]!.time, '310.000');
  assert.is(suite.tests, '6');
  assert.is(suite.failures, '2');
  assert.is(suite.skipped, '2');
  assert.is(suite.errors, '0');
  assert.is(suite.id, '20261127T102233Z-3f9a');
});

test('a failed step carries the EM message; its VMs are system-out lines', () => {
  const cases = parse(renderJunit(partlyFailedReport())).testsuites.testsuite.testcase as Case[];
  const app = cases.find((c) => c.name.endsWith('App tier "A & B"'))!;
  assert.ok(app.failure, 'has a failure');
  assert.ok(app.failure!.message.includes(EM_FAILURE_MESSAGE));
  assert.is(app.failure!.type, 'failover');
  assert.ok(app.failure!['#text']!.includes('VM erp-app02'));
  const out = app['system-out']!.split('\n');
  assert.is(out.length, 3);
  assert.match(out[0]!, /^VM erp-app01 \(replica CDP Policy <ERP>, point in time 2026-11-27T10:00:00Z\): failed-over, task task-2/);
  assert.match(out[1]!, `VM erp-app02`);
  assert.match(out[1]!, `: failed, task task-3`);
  assert.match(out[2]!, 'VM erp-app03 <edge>');
  assert.match(out[2]!, ': stopped, task task-4');
  // A passing step has no failure.
  assert.is(cases[2]!.failure, undefined);
  assert.match(cases[2]!['system-out']!, 'restore session 5a5a0000-0000-4000-8000-000000000001 Stopped/Success');
});

test('skipped and never-run steps are <skipped/> with the reason; a step cut off mid-run is an error', () => {
  const report = partlyFailedReport();
  report.steps.push({ id: 'late', name: 'Late', kind: 'wait', outcome: 'running' });
  const suite = parse(renderJunit(report)).testsuites.testsuite;
  const cases = suite.testcase as Case[];
  assert.is(cases.find((c) => c.name === 'Notify | chat')!.skipped!.message, "when: step 'tiers' is succeeded (it failed)");
  assert.match(cases.find((c) => c.name === 'Switch DNS')!.skipped!.message, 'not run');
  assert.match(cases.find((c) => c.name === 'Late')!.error!.message, 'interrupted');
  assert.is(suite.errors, '1');
});

test('manual actions, rollback and events are in the suite system-out; run facts are properties', () => {
  const suite = parse(renderJunit(partlyFailedReport())).testsuites.testsuite;
  const out: string = suite['system-out'];
  assert.match(out, 'MANUAL ACTION (failed-over) erp-db01');
  assert.match(out, 'rollback delete-task erp-app03 <edge> task task-4: ok');
  assert.match(out, 'rollback exec-undo notify-undo.sh --channel "#dr" & more: FAILED: exited 3');
  assert.match(out, 'session-renewal');
  const props = Object.fromEntries((suite.properties.property as { name: string; value: string }[]).map((p) => [p.name, p.value]));
  assert.is(props.outcome, 'failed');
  assert.is(props['achieved.rtoMs'], '312000');
  assert.is(props.simulated, 'true');
});

test('writeJunit writes the file with registered secrets redacted', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'runbook-junit-')), 'junit.xml');
  const report = partlyFailedReport();
  report.steps[1]!.error = `Authorization: Basic ${FIXTURE_SECRETS.token}`;
  const secrets = new SecretFilter();
  secrets.register(FIXTURE_SECRETS.token);
  writeJunit(file, report, { secrets });
  const xml = readFileSync(file, 'utf8');
  assert.is(XMLValidator.validate(xml), true);
  assert.not.ok(xml.includes(FIXTURE_SECRETS.token));
  assert.match(xml, 'Basic [redacted]');
});

test('the suite properties count the VMs still failed over and unknown', () => {
  const xml = renderJunit(partlyFailedReport());
  assert.match(xml, '<property name="vms.failedOver" value="2"/>');
  assert.match(xml, '<property name="vms.unknown" value="0"/>');
});

test.run();
