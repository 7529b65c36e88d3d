// Parsing real EM bodies (em-fixtures/docs and external) into our types, both media types:
// tasks, EM errors, the Enterprise Manager root and malformed bodies. CDP replicas, VMs,
// intervals, sessions and references are api-codec-resources.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeDocument, emErrorMessage, isEmError } from '../engine/api/document.js';
import { collection, parseTask } from '../engine/api/codec.js';
import { doc, external, fixture } from './helpers/em-documents.js';

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
