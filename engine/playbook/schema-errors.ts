// ajv errors → one clear message per mistake. The schema dispatches steps and conditions
// with if/then/else on their kind key, so only the matching branch reports; this module
// drops the `if` noise, and words each remaining error for a DR engineer.

import type { ErrorObject } from 'ajv';
import { parseDatetime } from './duration.js';
import { humanPath, type Path } from './positions.js';
import { STEP_KINDS } from './written.js';

export interface SchemaProblem {
  path: Path;
  /** Point at the key rather than the value (unknown keys, bad names). */
  key: boolean;
  code: string;
  message: string;
  /** For a missing required key: which one (the path points at its parent). */
  missingKey?: string;
}

type Schema = { properties?: Record<string, { description?: string }>; pattern?: string; description?: string };

const STEP_KIND_LIST = 'failover, failoverVapp, failoverPlan, check, wait, approval, exec or parallel';

export function explainSchemaErrors(errors: readonly ErrorObject[], defs: Record<string, Schema>): SchemaProblem[] {
  const relevant = errors.filter((e) => e.keyword !== 'if' && !(e.keyword === 'pattern' && e.propertyName !== undefined));
  const shadowing = new Set(
    relevant.filter((e) => e.keyword === 'additionalProperties' || e.keyword === 'type').map((e) => e.instancePath),
  );
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const e of relevant) {
    if (e.keyword === 'not' && shadowing.has(e.instancePath)) continue;
    const p = explain(e, defs);
    const id = `${p.path.join('/')}|${p.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ ...p, message: `${humanPath(p.path)}: ${p.message}` });
  }
  return out;
}

/** What every keyword's wording needs: the error, where it points, the schema around it. */
interface Found {
  e: ErrorObject;
  path: Path;
  parent: Schema;
  /** The keys the schema around the error allows (none: not a mapping). */
  allowed: string[];
  data: unknown;
  at: (message: string, code?: string, key?: boolean, where?: Path) => SchemaProblem;
}

function explain(e: ErrorObject, defs: Record<string, Schema>): SchemaProblem {
  const path = pointerToPath(e.instancePath);
  const parent = (e.parentSchema ?? {}) as Schema;
  const allowed = Object.keys(parent.properties ?? {});
  const at = (message: string, code = `schema/${e.keyword}`, key = false, where: Path = path): SchemaProblem => ({
    path: where,
    key,
    code,
    message,
  });
  const f: Found = { e, path, parent, allowed, data: e.data, at };
  const limit = (e.params as { limit: number }).limit;
  switch (e.keyword) {
    case 'additionalProperties':
      return unknownKey(f);
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      const what = parent.properties?.[missing]?.description;
      return { ...at(`missing required key "${missing}"${what ? ` (${lowerFirst(what.replace(/\.$/, ''))})` : ''}`), missingKey: missing };
    }
    case 'not':
      return noKind(f);
    case 'type':
      return wrongType(f, defs);
    case 'enum':
      return notInList(f);
    case 'const':
      if (path.length === 1 && path[0] === 'version')
        return at(`must be 1 (the only playbook language version so far); got ${describe(f.data)}`);
      return at(`must be "${String((e.params as { allowedValue: unknown }).allowedValue)}" or a list of names; got ${describe(f.data)}`);
    case 'pattern':
      return at(patternMessage(String(f.data), String((e.params as { pattern: string }).pattern), defs), 'schema/format');
    case 'minItems':
      if (parent.description !== undefined && parent.description === defs.argv?.description) {
        return at('the command must not be empty: give the program and its arguments, e.g. [echo, hello]');
      }
      return at(limit === 1 ? 'must not be empty' : `needs at least ${limit} items`);
    case 'minLength':
      return at('must not be empty');
    case 'maxLength':
      return at(`is longer than ${limit} characters`);
    case 'minimum':
      return at(`must be at least ${limit}; got ${describe(f.data)}`);
    case 'maximum':
      return at(`must be at most ${limit}; got ${describe(f.data)}`);
    case 'uniqueItems': {
      const j = (e.params as { j: number }).j;
      return at(`lists ${describe((f.data as unknown[])[j])} twice: remove the repeat`);
    }
    case 'minProperties':
    case 'maxProperties':
      return at(propertiesMessage(allowed, e.keyword === 'minProperties'));
    case 'propertyNames':
      return badName(f);
    default:
      return at(e.message ?? `is invalid (${e.keyword})`);
  }
}

/** A key the schema does not allow: a second step kind, a typo, or a key that belongs elsewhere. */
function unknownKey({ e, path, allowed, at }: Found): SchemaProblem {
  const extra = String((e.params as { additionalProperty: string }).additionalProperty);
  const where = [...path, extra];
  const isStep = allowed.includes('id') && allowed.includes('always');
  const kind = allowed.find((k) => (STEP_KINDS as readonly string[]).includes(k));
  if (isStep && kind && (STEP_KINDS as readonly string[]).includes(extra)) {
    return at(
      `a step does exactly one thing: this step already has "${kind}"; move "${extra}" into a step of its own`,
      'schema/two-kinds',
      true,
      where,
    );
  }
  const candidates = isStep ? [...allowed, ...STEP_KINDS] : allowed;
  const hint = suggest(extra, candidates);
  const list = isStep && !kind ? `${allowed.join(', ')} and one of ${STEP_KIND_LIST}` : allowed.join(', ');
  return at(
    `unknown key "${extra}"${hint ? ` (did you mean "${hint}"?)` : ''}; allowed here: ${list || 'nothing'}`,
    'schema/unknown-key',
    true,
    where,
  );
}

/** `not` guards a step or a condition that names no kind at all. */
function noKind({ allowed, data, at }: Found): SchemaProblem {
  if (allowed.includes('id')) {
    const id = (data as { id?: unknown } | null)?.id;
    return at(
      `${typeof id === 'string' ? `step "${id}"` : 'this step'} does nothing: give it exactly one of ${STEP_KIND_LIST}`,
      'schema/step-kind',
    );
  }
  return at(
    'a condition needs exactly one of step, param, env, all, any or not, e.g. {step: database, is: succeeded}',
    'schema/condition-kind',
  );
}

/** A value of the wrong type, worded for the mistakes people make: literal secrets, bare numbers for durations. */
function wrongType({ e, parent, allowed, data, at }: Found, defs: Record<string, Schema>): SchemaProblem {
  const expected = String((e.params as { type: string | string[] }).type);
  if (allowed.includes('env') && allowed.includes('file') && typeof data === 'string') {
    return at(
      'a literal password does not belong in a playbook (it would end up in git and in logs): ' +
        'write password: {env: EM_PASSWORD} or password: {file: /run/secrets/em-password}',
      'schema/literal-secret',
    );
  }
  if (parent.pattern === defs.duration?.pattern && typeof data === 'number') {
    return at(`${data} has no unit: write a duration like 30s, 5m or 1h30m`, 'schema/duration');
  }
  if (allowed.length === 1 && allowed[0] === 'env') return at(`must be a string or {env: NAME}, not ${describe(data)}`);
  if (parent.description?.startsWith('Reached when a condition')) {
    return at(
      'a condition is a mapping such as {step: database, is: succeeded}; conditions are never evaluated as code',
      'schema/condition-kind',
    );
  }
  if (parent.description?.startsWith('Reached when a step')) {
    return at(`a step is a mapping with an id and one of ${STEP_KIND_LIST}, e.g. {id: db-tier, failover: {...}}`, 'schema/step-kind');
  }
  return at(`must be ${article(expected)}, not ${describe(data)}`);
}

function notInList({ e, data, at }: Found): SchemaProblem {
  const values = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
  const hint = typeof data === 'string' ? suggest(data, values) : undefined;
  const more = values.includes('latest-app-consistent') ? ', {interval: <datetime>} or {pointInTime: <datetime>}' : '';
  return at(`must be one of ${values.join(', ')}${more}; got ${describe(data)}${hint ? ` (did you mean "${hint}"?)` : ''}`);
}

/** A param or environment variable name that could not be written as a reference. */
function badName({ e, path, at }: Found): SchemaProblem {
  const name = String((e.params as { propertyName: string }).propertyName);
  const where = [...path, name];
  if (path.length === 1 && path[0] === 'params') {
    return at(
      `"${name}" is not a valid param name: use letters, digits and _ (not starting with a digit) so it can be written \${params.name}`,
      'schema/param-name',
      true,
      where,
    );
  }
  return at(
    `"${name}" is not a valid environment variable name: use letters, digits and _ (not starting with a digit)`,
    'schema/env-name',
    true,
    where,
  );
}

function patternMessage(value: string, pattern: string, defs: Record<string, Schema>): string {
  if (pattern === defs.duration?.pattern)
    return `"${value}" is not a duration: write it like 500ms, 30s, 5m, 1h30m or 1d (units in that order, no spaces)`;
  if (pattern === defs.datetime?.pattern) {
    if (value.includes('${')) return `"${value}" must be a UTC datetime or exactly one \${params.name} reference, nothing around it`;
    try {
      parseDatetime(value);
    } catch (error) {
      return (error as Error).message;
    }
    return `"${value}" is not an ISO 8601 UTC datetime: write it like 2024-05-01T10:30:00Z`;
  }
  if (pattern === defs.stepId?.pattern)
    return `"${value}" is not a valid step id: use letters, digits, "-", "_" and ".", starting with a letter or digit`;
  if (pattern === defs.envName?.pattern)
    return `"${value}" is not a valid environment variable name: use letters, digits and _ (not starting with a digit)`;
  return `"${value}" is not a valid name: use letters, digits and _ (not starting with a digit)`;
}

function propertiesMessage(allowed: string[], tooFew: boolean): string {
  if (allowed.includes('file')) return 'give exactly one of env or file, e.g. {env: EM_PASSWORD}';
  if (allowed.includes('pointInTime')) return 'give exactly one of interval or pointInTime, e.g. {pointInTime: 2024-05-01T10:30:00Z}';
  if (allowed.includes('set')) return 'give the variable and exactly one of equals, in or set, e.g. {env: DR_DRILL, set: true}';
  if (allowed.includes('equals')) return 'give the param and exactly one of equals or in, e.g. {param: site, equals: dr-east}';
  if (allowed.includes('maxRpo'))
    return 'a check needs something to check: cdpReplica (with vms, maxRpo, appConsistentWithin), vapp or failoverPlan';
  return tooFew ? 'has too few keys' : 'has too many keys';
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function article(type: string): string {
  const names: Record<string, string> = {
    object: 'a mapping',
    array: 'a list',
    string: 'a string',
    integer: 'a whole number',
    number: 'a number',
    boolean: 'true or false',
  };
  return type
    .split(',')
    .map((t) => names[t] ?? t)
    .join(' or ');
}

export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

function lowerFirst(s: string): string {
  return /^[A-Z][a-z]/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s;
}

/** The closest candidate within edit distance 2, or a case-insensitive match. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    if (c.toLowerCase() === word.toLowerCase()) return c;
    const d = distance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
