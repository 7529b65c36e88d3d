import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULTS } from '../engine/playbook/defaults.js';
import { validateText } from '../engine/playbook/validate.js';

const MINIMAL = `version: 1
name: Minimal
steps:
  - id: db
    failover: {cdpReplica: ERP-CDP, vms: all}
  - id: pause
    wait: 1h30m
`;

test('a minimal playbook gets every default from DEFAULTS', () => {
  const pb = validateText('/tmp/min.yaml', MINIMAL).playbook!;
  assert.ok(pb);
  assert.equal(pb.server, { media: 'xml', tls: { insecureSkipVerify: false }, requestTimeoutMs: 30_000 });
  assert.equal(pb.defaults, {
    timeoutMs: 1_800_000,
    pollIntervalMs: 5_000,
    retry: { attempts: 3, backoffMs: 2_000, maxBackoffMs: 30_000 },
    concurrency: 10,
    onFailure: 'abort',
  });
  assert.equal(pb.defaults.retry, { ...DEFAULTS.defaults.retry });
  assert.equal(pb.params, {});
  assert.equal(pb.targets, {});
  assert.is(pb.file, '/tmp/min.yaml');
  assert.equal(pb.steps[0], {
    id: 'db',
    name: 'db',
    timeoutMs: 1_800_000,
    retry: { attempts: 3, backoffMs: 2_000, maxBackoffMs: 30_000 },
    onFailure: 'abort',
    always: false,
    source: { file: '/tmp/min.yaml', line: 4, col: 5 },
    kind: 'failover',
    cdpReplica: 'ERP-CDP',
    vms: 'all',
    restorePoint: { kind: 'latest' },
    concurrency: 10,
  });
  assert.equal(pb.steps[1]!.kind === 'wait' && pb.steps[1]!.durationMs, 5_400_000);
});

/** A parallel group whose first child's `when` ends in `{not: <notWhen>}`; `tail` adds top-level keys. */
const groupPlaybook = (notWhen: string, tail = '') => `version: 1
name: x
server: {url: https://em:9398/api, username: {env: EM_USER}, password: {file: pw.txt}, timeout: 500ms}
targets: {rto: 1h, rpo: 15m}
defaults: {retry: {attempts: 5}, onFailure: continue, concurrency: 4}
steps:
  - id: g
    retry: {backoff: 1s}
    onFailure: rollback
    parallel:
      - id: a
        when: {any: [{env: DRILL, set: true}, {not: ${notWhen}}]}
        failoverVapp: {vapp: V, restorePoint: {interval: 2024-05-01T10:00:00Z}}
      - id: b
        exec: {command: [echo, hi], undo: [echo, bye]}
  - id: c
    when: {step: a, is: [failed, skipped]}
    failoverPlan: {plan: P, action: start, before: 2024-05-01T10:00:00Z}
${tail}`;

test('step settings override defaults; parallel children inherit the group retry and onFailure', () => {
  const pb = validateText('pb.yaml', groupPlaybook('{step: g, is: failed}'));
  assert.equal(
    pb.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
    [
      'steps[0].parallel[0].when: step "g" is the parallel group containing "a", so its outcome is not known yet; refer to a step before the group',
    ],
  );
  const ok = validateText('pb.yaml', groupPlaybook('{param: p, equals: 1}', 'params:\n  p: {type: number, default: 2}\n')).playbook!;
  assert.equal(ok.server, {
    media: 'xml',
    tls: { insecureSkipVerify: false },
    requestTimeoutMs: 500,
    url: { value: 'https://em:9398/api' },
    username: { env: 'EM_USER' },
    password: { file: 'pw.txt' },
  });
  assert.equal(ok.targets, { rtoMs: 3_600_000, rpoMs: 900_000 });
  const g = ok.steps[0]!;
  assert.ok(g.kind === 'parallel');
  if (g.kind !== 'parallel') return;
  assert.equal(g.retry, { attempts: 5, backoffMs: 1_000, maxBackoffMs: 30_000 });
  const [a, b] = g.steps;
  assert.equal(a!.onFailure, 'rollback');
  assert.equal(a!.retry, g.retry);
  assert.equal(a!.when, { any: [{ env: 'DRILL', set: true }, { not: { param: 'p', equals: 1 } }] });
  assert.equal(a!.kind === 'failoverVapp' && a!.restorePoint, { kind: 'interval', at: '2024-05-01T10:00:00Z' });
  assert.equal(b!.kind === 'exec' && { shell: b!.shell, env: b!.env, expectExit: b!.expectExit, undo: b!.undo }, {
    shell: false,
    env: {},
    expectExit: 0,
    undo: ['echo', 'bye'],
  });
  assert.equal(b!.source, { file: 'pb.yaml', line: 14, col: 9 });
  const c = ok.steps[1]!;
  assert.equal(c.when, { step: 'a', is: ['failed', 'skipped'] });
  assert.equal(c.kind === 'failoverPlan' && { action: c.action, before: c.before }, { action: 'start', before: '2024-05-01T10:00:00Z' });
});

test.run();
