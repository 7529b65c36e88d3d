import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateValidatorSource, playbookSchema, validatorFile } from '../engine/playbook/schema.js';
import {
  APPROVAL_KEYS,
  APPROVERS_KEYS,
  DEFAULTS_KEYS,
  PARAM_KEYS,
  RETRY_KEYS,
  SERVER_KEYS,
  STEP_BODY_KEYS,
  STEP_COMMON_KEYS,
  STEP_KINDS,
  TOP_LEVEL_KEYS,
} from '../engine/playbook/written.js';

type S = {
  properties?: Record<string, S>;
  $ref?: string;
  description?: string;
  additionalProperties?: unknown;
  type?: unknown;
  [k: string]: unknown;
};
const schema = playbookSchema() as S & { $defs: Record<string, S> };
const def = (name: string) => schema.$defs[name]!;
const keys = (s: S) => Object.keys(s.properties ?? {}).sort();
const sorted = (l: readonly string[]) => [...l].sort();

test('every step kind in the schema matches written.ts, with the same common and body keys', () => {
  for (const kind of STEP_KINDS) {
    const branch = def(`${kind}Step`);
    assert.equal(keys(branch), sorted([...STEP_COMMON_KEYS, kind]), `${kind}Step keys`);
    if (kind in STEP_BODY_KEYS)
      assert.equal(keys(def(kind)), sorted(STEP_BODY_KEYS[kind as keyof typeof STEP_BODY_KEYS]), `${kind} body keys`);
  }
  // The if/then chain dispatches on exactly these kind keys, in order.
  const dispatched: string[] = [];
  for (let s: S | undefined = def('step'); s?.if; s = s.else as S | undefined)
    dispatched.push((s.if as { required: string[] }).required[0]!);
  assert.equal(dispatched, [...STEP_KINDS]);
  assert.equal(keys(def('noKindStep')), sorted(STEP_COMMON_KEYS));
});

test('top level, server, params, defaults and retry match written.ts', () => {
  assert.equal(keys(schema), sorted(TOP_LEVEL_KEYS));
  assert.equal(keys(def('server')), sorted(SERVER_KEYS));
  assert.equal(keys(def('param')), sorted(PARAM_KEYS));
  assert.equal(keys(def('defaults')), sorted(DEFAULTS_KEYS));
  assert.equal(keys(def('retry')), sorted(RETRY_KEYS));
  assert.equal(keys(def('approvalObject')), sorted(APPROVAL_KEYS));
  assert.equal(keys(def('approvers')), sorted(APPROVERS_KEYS));
});

test('every property has a description and every object is closed', () => {
  const problems: string[] = [];
  const walk = (s: unknown, at: string) => {
    if (!s || typeof s !== 'object') return;
    const node = s as S;
    if (node.properties) {
      if (node.additionalProperties !== false) problems.push(`${at}: additionalProperties is not false`);
      for (const [k, v] of Object.entries(node.properties)) {
        const target = v.$ref ? def(v.$ref.split('/').pop()!) : v;
        if (!v.description && !target.description) problems.push(`${at}.${k}: no description`);
      }
    }
    for (const [k, v] of Object.entries(node)) if (typeof v === 'object') walk(v, `${at}/${k}`);
  };
  walk(schema, '#');
  assert.equal(problems, []);
  // A URN: an identifier that names no web host we would have to own (editors map the
  // schema from node_modules, playbooks/README.md "Editor support").
  assert.is(schema.$id, 'urn:cdp-runbook:schema:playbook:v1');
});

test('the committed generated validator matches the schema (regenerate with test/tools/generate-validator.ts)', async () => {
  assert.ok(
    readFileSync(validatorFile(), 'utf8') === (await generateValidatorSource()),
    'schemas/playbook.validate.cjs is stale: run node --import tsx test/tools/generate-validator.ts',
  );
});

test.run();
