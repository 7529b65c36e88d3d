// Parsing real EM bodies (em-fixtures/docs and external) into our types, both media types.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { docsFixture, fixturesDir } from './helpers/paths.js';
import { decodeDocument, emErrorMessage, isEmError, type EmDocument } from '../engine/api/document.js';
import {
  collection,
  parseCdpReplica,
  parseCdpReplicaVm,
  parseIntervals,
  parseLinks,
  parseLogonSession,
  parseRef,
  parseRestoreSession,
  parseTask,
} from '../engine/api/codec.js';

const doc = (text: string): EmDocument => {
  const d = decodeDocument(text);
  if (!d) throw new Error('empty');
  return d;
};
const fixture = (name: string) => doc(readFileSync(docsFixture(name), 'utf8'));
const external = (path: string) => doc(readFileSync(join(fixturesDir, 'external', path), 'utf8'));

test('running task (XML): state, operation, no result, Delete link only', () => {
  const d = fixture('task-running.xml');
  assert.is(d.root, 'Task');
  const t = parseTask(d.body);
  assert.equal(t, { taskId: 'task-1', state: 'Running', operation: 'StartFailover', href: 'https://localhost:9398/api/tasks/task-1' });
});

test('finished failover task (XML): result and the Related RestoreSession href', () => {
  const t = parseTask(fixture('task-finished.xml').body);
  assert.is(t.state, 'Finished');
  assert.equal(t.result, { success: true, message: 'Ok' });
  assert.is(t.restoreSessionHref, 'https://localhost:9398/api/restoreSessions/2abbd1f7-647a-46b7-9f39-6e84ea31802b?format=Entity');
});

test('every task fixture parses; plan tasks carry no Related link', () => {
  const names = [
    'task-operation-finished.xml',
    'task-finished-startjob.xml',
    'task-running-failover-plan.xml',
    'task-finished-failover-plan.xml',
    'task-finished-undo-failover-plan.xml',
    'task-finished-replica-failover.xml',
  ];
  const tasks = names.map((n) => parseTask(fixture(n).body));
  assert.is(tasks[0]?.state, 'OperationFinished');
  assert.equal(tasks[0]?.result, { success: true, message: 'OperationFinished' });
  assert.is(tasks[2]?.operation, 'StartFailoverPlan');
  assert.is(tasks[3]?.restoreSessionHref, undefined);
  assert.is(tasks[4]?.operation, 'UndoFailoverPlan');
  assert.is(tasks[5]?.operation, 'StartReplicaFailover');
  assert.ok(tasks[5]?.restoreSessionHref?.includes('/restoreSessions/'));
});

test('external doc examples of tasks (one-line, ASCII indentation) parse', () => {
  for (const name of [
    'get_tasks_id.response.1.xml',
    'get_tasks_id.response.2.xml',
    'post_cdpreplicavm_id_actionfailover.response.1.xml',
    'post_cdpreplicavm_id_actionfailover.response.2.xml',
    'post_cdpreplicavapp_id_actionfailover.response.1.xml',
    'post_cdpreplicavapp_id_actionfailover.response.2.xml',
    'post_failoverplans_id_start.response.1.xml',
    'post_failoverplans_id_start.response.2.xml',
    'post_failoverplans_id_undo.response.1.xml',
    'post_vmreplicapoints_id_actionrestore.response.1.xml',
  ]) {
    const d = external(`veeam-docs-examples/${name}`);
    assert.is(d.root, 'Task', name);
    const t = parseTask(d.body);
    assert.match(t.taskId, /^task-\d+$/, name);
  }
});

test('task list (XML): a Result with no Message, and ids stay strings', () => {
  const d = fixture('tasks.xml');
  const tasks = collection(d, ['Task'], ['Tasks']).map(parseTask);
  assert.is(tasks.length, 2);
  assert.equal(tasks[0]?.result, { success: true });
  assert.is(tasks[1]?.result?.message, 'Job "SQL Server Replication" triggered to start.');
});

test('running task (JSON, observed): Links without Type, no Result', () => {
  const t = parseTask(fixture('task-running.json').body);
  assert.equal(t, {
    taskId: 'task-9',
    state: 'Running',
    operation: 'EditCloudTenant',
    href: 'http://cloudconnect1.testcloudspace.co.nz:9399/api/tasks/task-9',
  });
});

test('finished task (JSON, §5.1 shape): Result {Message, Success}', () => {
  const json = JSON.stringify({
    TaskId: 'task-3',
    State: 'Finished',
    Operation: 'StartFailover',
    Result: { Message: 'Ok', Success: true },
    Links: [
      { Rel: 'Delete', Href: 'https://em/api/tasks/task-3', Name: null, Type: 'Task' },
      { Rel: 'Related', Href: 'https://em/api/restoreSessions/abc?format=Entity', Name: null, Type: 'RestoreSession' },
    ],
    Href: 'https://em/api/tasks/task-3',
    Type: 'Task',
  });
  const t = parseTask(doc(json).body);
  assert.equal(t.result, { success: true, message: 'Ok' });
  assert.is(t.restoreSessionHref, 'https://em/api/restoreSessions/abc?format=Entity');
});

test('unknown task state is a shape error, not a silent value', () => {
  assert.throws(
    () => parseTask(doc('<Task><TaskId>task-1</TaskId><State>Weird</State><Operation>X</Operation></Task>').body),
    /unknown State "Weird"/,
  );
});

test('CDP replica list (XML refs): ids from hrefs, backup server from the Up link', () => {
  const list = collection(fixture('cdp-replicas.xml'), ['Ref'], ['Refs']).map(parseCdpReplica);
  assert.is(list.length, 2);
  assert.is(list[0]?.id, '7665222c-2e99-4a3f-b892-1827ba8d1eee');
  assert.is(list[0]?.name, 'CDP Policy 2');
  assert.is(list[0]?.type, 'CdpReplicaReference');
  assert.is(list[0]?.backupServer, 'enterprise03.tech.local');
  assert.is(list[1]?.links.length, 2);
});

test('CDP replica entity (XML): policy fields, id without ?format=Entity', () => {
  const r = parseCdpReplica(fixture('cdp-replica.xml').body);
  assert.is(r.id, '7665222c-2e99-4a3f-b892-1827ba8d1eee');
  assert.is(r.policyUid, 'a3f2bc1b-b9d2-4c07-b15e-eefad1ba8701');
  assert.is(r.policyName, 'CDP Policy 2');
  assert.is(r.uid, 'urn:veeam:CdpReplica:7665222c-2e99-4a3f-b892-1827ba8d1eee');
});

test('CDP replica VMs: list, entity (CdpReplicaVm and VmCdpReplica roots) and reference', () => {
  const list = collection(fixture('cdp-replica-vms.xml'), ['Ref'], ['Refs']).map((n) => parseCdpReplicaVm(n, 'rid'));
  assert.ok(list.length >= 1);
  assert.ok(list.every((v) => v.replicaId === 'rid' && v.id.length > 0));
  const v13 = external('veeam-docs-examples/get_cdpreplicas_id_vms.response.v13_1.xml');
  assert.ok(collection(v13, ['Ref'], ['Refs']).map((n) => parseCdpReplicaVm(n)).length >= 1);

  const entityXml = readFileSync(docsFixture('cdp-replica-vm.xml'), 'utf8');
  const vm = parseCdpReplicaVm(doc(entityXml).body);
  assert.is(vm.id, 'fc2d6425-e96d-44e7-9d96-b7af5991adb3');
  assert.is(vm.replicaId, '24ae37ad-4d28-4568-8467-98d8770bb722');
  assert.is(vm.vmRef, 'urn:VMware:Vm:b4cd87e5-c608-4790-9178-076d16d4166b.vm-19');
  const renamed = doc(entityXml.replace(/CdpReplicaVm xmlns/, 'VmCdpReplica xmlns').replace('</CdpReplicaVm>', '</VmCdpReplica>'));
  assert.is(renamed.root, 'VmCdpReplica');
  assert.equal(parseCdpReplicaVm(renamed.body), vm);

  const ref = parseCdpReplicaVm(fixture('cdp-replica-vm-ref.xml').body);
  assert.is(ref.replicaId, '24ae37ad-4d28-4568-8467-98d8770bb722');
  assert.is(ref.name, 'virt03-vm01');
});

test('intervals (XML, VM and vApp pages): numbers parsed, dates kept as text', () => {
  for (const d of [
    fixture('cdp-replica-intervals.xml'),
    external('veeam-docs-examples/post_cdpreplicavm_id_actionintervals.response.1.xml'),
    external('veeam-docs-examples/post_cdpreplicavapp_id_actionintervals.response.1.xml'),
  ]) {
    const i = parseIntervals(d.body);
    assert.is(i.start, '2023-02-16T16:57:44');
    assert.is(i.hasApplicationConsistentState, true);
    assert.is(i.intervals.length, 3);
    assert.equal(i.intervals[1], { start: '2023-02-17T07:01:30', end: '2023-02-17T16:56:15', rpoSeconds: 15, type: 'RestoreAvailable' });
    assert.equal(i.restorePoints[0], { id: '56eec589-6e13-47d8-ac3a-6d9c2821179c', date: '2023-02-16T23:00:49', appConsistent: true });
  }
});

test('intervals (JSON): both list spellings accepted', () => {
  const flat = {
    StartDate: 'a',
    EndDate: 'b',
    HasApplicationConsistentState: false,
    Intervals: [{ StartDate: 's', EndDate: 'e', Rpo: 5, IntervalType: 'RestoreAvailable' }],
    RestorePoints: [],
  };
  const wrapped = {
    ...flat,
    Intervals: { Interval: flat.Intervals },
    RestorePoints: { RestorePoint: [{ Id: 'p1', Date: 'd', IsApplicationConsistent: true }] },
  };
  assert.is(parseIntervals(doc(JSON.stringify(flat)).body).intervals[0]?.rpoSeconds, 5);
  assert.is(parseIntervals(doc(JSON.stringify(wrapped)).body).restorePoints[0]?.id, 'p1');
});

test('vApp variants: refs list, entity with vAppRef, VM list of <Items>, VM entity', () => {
  const refs = collection(fixture('vapp-cdp-replicas.xml'), ['Ref'], ['Refs']).map(parseCdpReplica);
  assert.equal(
    refs.map((r) => r.name),
    ['vApp02', 'vApp-TS'],
  );
  assert.is(refs[0]?.backupServer, 'backupsrv52.tech.local');
  const entity = parseCdpReplica(fixture('vapp-cdp-replica.xml').body);
  assert.is(entity.id, '4d408966-827f-4142-811f-90be94c842a9');
  assert.is(entity.policyName, 'CDP Policy Cloud Director');
  const vms = collection(fixture('vapp-cdp-replica-vms.xml'), ['Items'], ['Items']).map((n) => parseCdpReplicaVm(n));
  assert.equal(
    vms.map((v) => v.name),
    ['vm02-DlmR', 'vApp02-kAd4'],
  );
  assert.is(vms[0]?.replicaId, '4d408966-827f-4142-811f-90be94c842a9');
  const vm = parseCdpReplicaVm(fixture('vapp-cdp-replica-vm.xml').body);
  assert.is(vm.vmRef, 'urn:VMware:Vm:310bf182-930c-494e-ab0d-636c5eba58b9.vm-4216');
});

test('logon session: SessionId from the body (single and list), tenant variant', () => {
  assert.is(parseLogonSession(fixture('logon-session.xml').body).sessionId, '15a3fc97-0325-4119-b789-5c0367c6c565');
  assert.is(parseLogonSession(external('veeam-docs-examples/logging_on.response.1.xml').body).sessionId.length > 0, true);
  const list = collection(fixture('logon-sessions.xml'), ['LogonSession'], ['LogonSessions']).map(parseLogonSession);
  assert.equal(list, [{ sessionId: '5496707f-c814-47ce-8d6d-110aa03cec03', userName: 'SRV13\\Administrator' }]);
  const tenant = fixture('logon-session-tenant.xml');
  assert.ok(parseLogonSession(tenant.body).sessionId.length > 0);
  const links = parseLinks(fixture('logon-session.xml').body);
  assert.ok(links.some((l) => l.rel === 'Delete' && l.type === undefined));
});

test('restore session entity', () => {
  const s = parseRestoreSession(fixture('restore-session.xml').body);
  assert.equal(s, {
    id: '676dc837-f441-4ac1-8470-15be06b4cffc',
    name: 'FLR_[srv04]@2014-10-19 05:59:18',
    state: 'Stopped',
    result: 'Success',
    vmDisplayName: 'srv04',
    createdAt: '2014-10-19T05:59:18Z',
  });
});

test('EM errors: XML 500 and JSON 400/404 give the Message; other bodies are not errors', () => {
  const xml = fixture('error-500.xml');
  assert.ok(isEmError(xml));
  assert.is(emErrorMessage(xml), 'Object reference not set to an instance of an object.');
  assert.is(emErrorMessage(fixture('error-400.json')), 'Node [root] does not exist.');
  assert.is(emErrorMessage(fixture('error-404.json')), 'Cannot find job [9be68a1c-7893-4c92-93e9-045be7533759]');
  assert.is(
    emErrorMessage(external('surfer190-veeam/JOB_NOT_FOUND_RESPONSE.json')),
    'Cannot find job [9be68a1c-7893-4c92-93e9-045be7533759]',
  );
  assert.not.ok(isEmError(fixture('task-running.xml')));
  assert.not.ok(isEmError(fixture('task-running.json')));
});

test('JSON references: Refs, QueryResult Refs.Refs with null link names, BOM and CRLF tolerated', () => {
  const refs = collection(fixture('entity-references.json'), [], []).map((n) => parseRef(n, 'ref'));
  assert.equal(
    refs.map((r) => r.name),
    ['QWE Systems', 'ABC Company', 'TechCompanyOrg'],
  );
  const query = collection(fixture('query-result-refs.json'), [], []).map((n) => parseRef(n, 'ref'));
  assert.is(query.length, 2);
  assert.is(query[0]?.links[3]?.name, undefined);
  const bom = doc(`\ufeff${readFileSync(docsFixture('job-ref.json'), 'utf8')}`);
  assert.is(parseRef(bom.body, 'job').name, 'CRM Backup');
  const crlf = external('centreon-plugins-vbem/restapi.query-BackupJobSession.body.json');
  assert.is(crlf.media, 'json');
  assert.ok(collection(crlf, [], ['BackupJobSessions']).length > 0);
});

test('XML QueryResult with Refs, and with Entities', () => {
  const q = doc(
    `<QueryResult xmlns="http://www.veeam.com/ent/v1.0"><Refs><Ref Type="CdpReplicaReference" Href="https://em/api/cdpReplicas/g1" Name="P1"><Links/></Ref></Refs><PagingInfo PageNum="1" PageSize="100" PagesCount="1"/></QueryResult>`,
  );
  assert.equal(
    collection(q, ['Ref'], ['Refs'])
      .map(parseCdpReplica)
      .map((r) => [r.id, r.name]),
    [['g1', 'P1']],
  );
  const e = doc(
    `<QueryResult><Entities><CdpReplicas><CdpReplica Href="https://em/api/cdpReplicas/g2?format=Entity" Name="P2" Type="CdpReplica"><PolicyName>P2</PolicyName></CdpReplica></CdpReplicas></Entities></QueryResult>`,
  );
  assert.equal(
    collection(e, ['CdpReplica'], ['CdpReplicas'])
      .map(parseCdpReplica)
      .map((r) => [r.id, r.policyName]),
    [['g2', 'P2']],
  );
});

test('the Enterprise Manager root parses (SupportedVersion forced to a list)', () => {
  const em = fixture('enterprise-manager.xml');
  assert.is(em.root, 'EnterpriseManager');
  const versions = (em.body.SupportedVersions as { SupportedVersion: unknown[] }).SupportedVersion;
  assert.ok(Array.isArray(versions) && versions.length >= 1);
});

test('malformed bodies are reported, not half-parsed', () => {
  assert.throws(() => decodeDocument('<Task><TaskId>1</Task>'), /malformed XML/);
  assert.throws(() => decodeDocument('{"a":'), /malformed JSON/);
  assert.throws(() => decodeDocument('hello'), /neither XML nor JSON/);
  assert.is(decodeDocument('  '), undefined);
});

test.run();
