// Which Enterprise Manager a real run talks to, and as whom (run/plan share the rollback
// command's precedence: --server, then the playbook's server block, then VEEAM_EM_*).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../engine/errors.js';
import { serverCredentials } from '../engine/run/target.js';
import { playbook } from './helpers/plan-fixture.js';

const withServer = (server: Partial<ReturnType<typeof playbook>['server']>) => playbook([], { server: { ...playbook([]).server, ...server } });

test('--server wins; then the playbook; the environment fills in what the playbook leaves out', () => {
  const pb = withServer({ url: { value: 'https://em-playbook:9398' }, username: { env: 'EM_USER' } });
  const env = { VEEAM_EM_URL: 'https://em-env:9398', EM_USER: 'dr-operator', VEEAM_EM_USERNAME: 'other', VEEAM_EM_PASSWORD: 'pw' };
  assert.equal(serverCredentials(pb, env, 'https://em-flag:9398'), { url: 'https://em-flag:9398', username: 'dr-operator', password: 'pw' });
  assert.is(serverCredentials(pb, env).url, 'https://em-playbook:9398');
  assert.is(serverCredentials(withServer({}), env).url, 'https://em-env:9398');
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
