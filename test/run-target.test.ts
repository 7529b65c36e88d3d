// Which Enterprise Manager a real run talks to, and as whom (run/plan share the rollback
// command's precedence: --server, then VEEAM_EM_*, then the playbook's server block).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../engine/errors.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveCredentials } from '../engine/commands/credentials.js';
import { serverCredentials } from '../engine/commands/target.js';
import { playbook } from './helpers/plan-fixture.js';

const withServer = (server: Partial<ReturnType<typeof playbook>['server']>) =>
  playbook([], { server: { ...playbook([]).server, ...server } });

test('--server wins; then VEEAM_EM_*; then the playbook; the playbook fills in what the environment leaves out', () => {
  const pb = withServer({ url: { value: 'https://em-playbook:9398' }, username: { env: 'EM_USER' }, password: { env: 'EM_PASSWORD' } });
  const env = {
    VEEAM_EM_URL: 'https://em-env:9398',
    EM_USER: 'dr-operator',
    VEEAM_EM_USERNAME: 'env-user',
    EM_PASSWORD: 'pb-pw',
    VEEAM_EM_PASSWORD: 'env-pw',
  };
  assert.equal(serverCredentials(pb, env, 'https://em-flag:9398'), {
    url: 'https://em-flag:9398',
    username: 'env-user',
    password: 'env-pw',
  });
  assert.equal(serverCredentials(pb, env), { url: 'https://em-env:9398', username: 'env-user', password: 'env-pw' });
  // Nothing in the environment: the playbook's server block.
  assert.equal(serverCredentials(pb, { EM_USER: 'dr-operator', EM_PASSWORD: 'pb-pw' }), {
    url: 'https://em-playbook:9398',
    username: 'dr-operator',
    password: 'pb-pw',
  });
  // VEEAM_EM_PASSWORD_FILE also beats the playbook's password.
  const dir = mkdtempSync(join(tmpdir(), 'creds-'));
  writeFileSync(join(dir, 'pw'), 'file-pw\n');
  assert.is(serverCredentials(pb, { EM_USER: 'u', EM_PASSWORD: 'pb-pw', VEEAM_EM_PASSWORD_FILE: join(dir, 'pw') }).password, 'file-pw');
});

test('rollback: the URL the run used wins over VEEAM_EM_URL and server.url; --server wins over it', () => {
  const recorded = { url: 'https://em-recorded:9398', username: 'recorded-user' };
  const base = { env: { VEEAM_EM_PASSWORD: 'pw' }, recorded };
  assert.equal(resolveCredentials(base), { url: 'https://em-recorded:9398', username: 'recorded-user', password: 'pw' });
  assert.is(
    resolveCredentials({ ...base, server: withServer({ url: { value: 'https://em-playbook:9398' } }).server }).url,
    'https://em-recorded:9398',
  );
  assert.is(resolveCredentials({ ...base, env: { ...base.env, VEEAM_EM_URL: 'https://em-env:9398' } }).url, 'https://em-recorded:9398');
  assert.is(
    resolveCredentials({ ...base, env: { ...base.env, VEEAM_EM_URL: 'https://em-env:9398', VEEAM_EM_USERNAME: 'env-user' } }).username,
    'env-user',
  );
  assert.is(
    resolveCredentials({ ...base, urlFlag: 'https://em-flag:9398', env: { ...base.env, VEEAM_EM_URL: 'https://em-env:9398' } }).url,
    'https://em-flag:9398',
  );
  // Without a recorded URL (plan, run) the environment and the playbook still apply.
  assert.is(
    resolveCredentials({ env: { VEEAM_EM_PASSWORD: 'pw', VEEAM_EM_USERNAME: 'u', VEEAM_EM_URL: 'https://em-env:9398' } }).url,
    'https://em-env:9398',
  );
});

test('missing credentials: a usage error that names the unset variable the playbook refers to', () => {
  const pb = withServer({ url: { value: 'https://em:9398' }, username: { value: 'u' }, password: { env: 'EM_PASSWORD' } });
  try {
    serverCredentials(pb, {});
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.instance(error, UsageError);
    assert.match((error as Error).message, 'missing the password');
    assert.match((error as Error).message, 'server.password names EM_PASSWORD, which is not set');
  }
});

test.run();
