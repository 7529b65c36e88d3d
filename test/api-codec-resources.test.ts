// Parsing real EM bodies (em-fixtures/docs and external) into our types, both media types:
// CDP replicas and their VMs, intervals, vApps, logon and restore sessions, references and
// QueryResults.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { docsFixture } from './helpers/paths.js';
import {
  collection,
  parseCdpReplica,
  parseCdpReplicaVm,
  parseIntervals,
  parseLinks,
  parseLogonSession,
  parseRef,
  parseRestoreSession,
} from '../engine/api/codec.js';
import { doc, external, fixture } from './helpers/em-documents.js';

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

test.run();
