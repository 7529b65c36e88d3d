// Request bodies: exact encoding, schema element order, both media types.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { docsFixture } from './helpers/paths.js';
import { encodeBody } from '../engine/api/bodies.js';
import { calls } from '../engine/api/calls.js';
import { decodeDocument } from '../engine/api/document.js';

const elementOrder = (xml: string) => [...xml.matchAll(/<([A-Za-z]+)[ >]/g)].map((m) => m[1]);

test('CdpFailoverStartSpec XML: declaration, namespace, schema order, PointinTime spelling', () => {
  const call = calls.failoverCdpVm('r', 'v', {
    restoreCurrent: false,
    restoreCurrentVss: false,
    restoreAtInterval: '2024-05-01T10:00:00Z',
    restoreAtPointInTime: '2024-05-01T10:05:00Z',
  });
  const { contentType, body } = encodeBody(call, 'xml');
  assert.is(contentType, 'application/xml');
  assert.is(
    body,
    '<?xml version="1.0" encoding="utf-8"?>\n' +
      '<CdpFailoverStartSpec xmlns="http://www.veeam.com/ent/v1.0">\n' +
      '  <RestoreCurrent>false</RestoreCurrent>\n' +
      '  <RestoreCurrentVss>false</RestoreCurrentVss>\n' +
      '  <RestoreAtInterval>2024-05-01T10:00:00Z</RestoreAtInterval>\n' +
      '  <RestoreAtPointinTime>2024-05-01T10:05:00Z</RestoreAtPointinTime>\n' +
      '</CdpFailoverStartSpec>\n',
  );
});

test('CdpFailoverStartSpec XML has the same elements, in the same order, as the doc example', () => {
  const ours = encodeBody(
    calls.failoverCdpVm('r', 'v', { restoreCurrent: true, restoreCurrentVss: false, restoreAtInterval: '2021-02-17T15:31:40' }),
    'xml',
  ).body as string;
  const doc = readFileSync(docsFixture('cdp-failover-spec.request.xml'), 'utf8');
  assert.equal(elementOrder(ours), elementOrder(doc));
  assert.equal(decodeDocument(ours)?.body, decodeDocument(doc)?.body);
});

test('CdpFailoverStartSpec JSON: RestoreAtPointInTime spelling, equals the doc example', () => {
  const call = calls.failoverVapp('a', { restoreCurrent: true, restoreCurrentVss: false, restoreAtPointInTime: '2023-02-17T15:31:40' });
  const { contentType, body } = encodeBody(call, 'json');
  assert.is(contentType, 'application/json');
  assert.is(body, '{"RestoreCurrent":true,"RestoreCurrentVss":false,"RestoreAtPointInTime":"2023-02-17T15:31:40"}');
  assert.equal(JSON.parse(body as string), JSON.parse(readFileSync(docsFixture('vapp-cdp-failover-spec.request.json'), 'utf8')));
});

test('FailoverPlanManagementSpec: StartNow or StartDate, both media types', () => {
  const now = encodeBody(calls.startFailoverPlan('p', { startNow: true }), 'xml').body as string;
  assert.equal(decodeDocument(now)?.body, decodeDocument(readFileSync(docsFixture('failover-plan-start-spec.request.xml'), 'utf8'))?.body);
  assert.ok(now.includes('<FailoverPlanManagementSpec xmlns="http://www.veeam.com/ent/v1.0">'));
  const date = encodeBody(calls.startFailoverPlan('p', { startDate: '2020-07-24T19:04:35Z' }), 'json');
  assert.is(date.body, '{"StartDate":"2020-07-24T19:04:35Z"}');
  assert.ok(!(encodeBody(calls.startFailoverPlan('p', { startNow: true }), 'xml').body as string).includes('StartDate'));
});

test('intervals body: CdpReplicaIntervalsSpec StartDate then EndDate; the call is read-only', () => {
  const call = calls.cdpIntervals('r', 'v', '2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z');
  assert.is(call.mutating, false);
  assert.is(call.method, 'POST');
  const xml = encodeBody(call, 'xml').body as string;
  assert.equal(elementOrder(xml), ['CdpReplicaIntervalsSpec', 'StartDate', 'EndDate']);
  assert.is(encodeBody(call, 'json').body, '{"StartDate":"2024-01-01T00:00:00Z","EndDate":"2024-01-02T00:00:00Z"}');
});

test('calls without a body have no Content-Type; mutating flags are right', () => {
  assert.equal(encodeBody(calls.undoFailoverPlan('p'), 'xml'), {});
  assert.equal(encodeBody(calls.failoverReplicaPoint('x'), 'json'), {});
  assert.ok(calls.undoFailoverPlan('p').mutating && calls.failoverReplicaPoint('x').mutating);
  assert.ok(calls.failoverCdpVm('r', 'v', { restoreCurrent: true, restoreCurrentVss: false }).mutating);
  assert.not.ok(calls.getTask('t').mutating);
  // A task DELETE stops a Running task but makes EM forget a finished one: never-twice too.
  assert.ok(calls.deleteTask('t').mutating);
});

test('text is escaped in XML bodies', () => {
  const xml = encodeBody(calls.startFailoverPlan('p', { startDate: '<&">' }), 'xml').body as string;
  assert.ok(xml.includes('<StartDate>&lt;&amp;&quot;&gt;</StartDate>'));
});

test('query by name encodes the filter expression', () => {
  const call = calls.queryCdpReplicaByName('CDP Policy "1" & co');
  const url = new URL(`https://em${call.path}`);
  assert.is(url.searchParams.get('type'), 'CdpReplica');
  assert.is(url.searchParams.get('filter'), 'Name=="CDP Policy "1" & co"');
});

test.run();
