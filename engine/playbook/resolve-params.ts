// Run-time param values: `--param name=value` strings → typed values, with defaults,
// enum and required checks. Every problem is a UsageError naming the fix.

import { UsageError } from '../errors.js';
import { parseDatetime, parseDuration } from './duration.js';
import { suggest } from './schema-errors.js';
import { bindTemplate } from './template.js';
import type { ParamDef, ParamValue, Playbook } from './types.js';

export function resolveParams(
  playbook: Pick<Playbook, 'params'>,
  given: Record<string, string>,
  env: Record<string, string | undefined>,
): Record<string, ParamValue> {
  const names = Object.keys(playbook.params);
  const problems: string[] = [];
  for (const name of Object.keys(given)) {
    if (Object.hasOwn(playbook.params, name)) continue;
    const hint = suggest(name, names);
    problems.push(
      `unknown param "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}; ` +
        `this playbook takes ${names.length ? names.join(', ') : 'no params'}`,
    );
  }
  const values: Record<string, ParamValue> = {};
  for (const [name, def] of Object.entries(playbook.params)) {
    const raw = Object.hasOwn(given, name) ? given[name] : undefined;
    if (raw === undefined) {
      if (def.default === undefined) {
        problems.push(`missing --param ${name}=<${def.type}>${def.description ? `: ${def.description}` : ''}`);
        continue;
      }
      // String defaults may name the environment, e.g. default: ${env.DR_SITE}.
      values[name] = typeof def.default === 'string' ? bindTemplate(def.default, { params: {}, env }) : def.default;
      continue;
    }
    try {
      values[name] = convert(def, raw);
    } catch (error) {
      problems.push(`--param ${name}=${raw}: ${(error as Error).message}`);
    }
  }
  if (problems.length === 1) throw new UsageError(problems[0]!);
  if (problems.length > 1) throw new UsageError(`bad params:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return values;
}

function convert(def: ParamDef, raw: string): ParamValue {
  switch (def.type) {
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw new Error('expected a number');
      return n;
    }
    case 'boolean':
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      throw new Error('expected true or false');
    case 'datetime':
      parseDatetime(raw);
      return raw;
    case 'duration':
      parseDuration(raw);
      return raw;
    case 'string':
      if (def.enum && !def.enum.includes(raw)) throw new Error(`expected one of ${def.enum.join(', ')}`);
      return raw;
  }
}
