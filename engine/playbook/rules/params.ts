// Rules about params: definitions fit their type, references name a defined param of a
// fitting type, and every param is used.

import { parseDatetime, parseDuration } from '../duration.js';
import { describe, suggest } from '../schema-errors.js';
import { scanTemplate, soleParamRef } from '../template.js';
import type { ParamDef, ParamValue } from '../types.js';
import {
  allSteps,
  conditionLeaves,
  serverTemplateFields,
  templateFields,
  type Rule,
  type RuleContext,
  type TemplateField,
} from './context.js';

/** A default must have the param's type; enum is for string params and must contain the default. */
export const paramDefinitionsFit: Rule = (ctx) => {
  for (const [name, def] of Object.entries(ctx.playbook.params)) {
    const at = ['params', name];
    if (def.enum !== undefined && def.type !== 'string') {
      ctx.report({
        path: [...at, 'enum'],
        code: 'rule/param-enum',
        message: `enum is only for string params; "${name}" is a ${def.type} param`,
      });
    }
    if (def.default === undefined) continue;
    const problem = valueProblem(def, def.default);
    if (problem) ctx.report({ path: [...at, 'default'], code: 'rule/param-default', message: `the default ${problem}` });
  }
};

/** Every `${params.x}` and `{param: x}` names a defined param; datetime fields get datetimes. */
export const paramReferencesResolve: Rule = (ctx) => {
  const fields: TemplateField[] = [...serverTemplateFields(ctx.playbook)];
  const visits = allSteps(ctx.playbook.steps);
  for (const v of visits) fields.push(...templateFields(v.step, v.path));
  for (const field of fields) checkField(ctx, field);

  for (const v of visits) {
    if (!v.step.when) continue;
    for (const { leaf, path } of conditionLeaves(v.step.when, [...v.path, 'when'])) {
      if (!('param' in leaf)) continue;
      const def = ctx.playbook.params[leaf.param];
      if (!def) {
        ctx.report({ path: [...path, 'param'], code: 'rule/unknown-param', message: unknownParam(ctx, leaf.param) });
        continue;
      }
      const values = leaf.in ?? (leaf.equals !== undefined ? [leaf.equals] : []);
      values.forEach((value, i) => {
        const problem = valueProblem(def, value);
        const where = leaf.in ? [...path, 'in', i] : [...path, 'equals'];
        if (problem)
          ctx.report({ path: where, code: 'rule/param-type', message: `param "${leaf.param}" can never equal this: it ${problem}` });
      });
    }
  }
};

/** A declared param nothing refers to is probably a typo on one side. */
export const paramsAreUsed: Rule = (ctx) => {
  // A step or a server block that failed the schema may be the one using a param: wait for it.
  if (ctx.partial && (ctx.partial.placeholders.size > 0 || ctx.partial.standIns.has('server'))) return;
  const used = new Set<string>();
  const fields = [...serverTemplateFields(ctx.playbook), ...allSteps(ctx.playbook.steps).flatMap((v) => templateFields(v.step, v.path))];
  for (const f of fields) for (const r of scanTemplate(f.value).refs) if (r.source === 'params') used.add(r.name);
  for (const v of allSteps(ctx.playbook.steps)) {
    if (v.step.when) for (const { leaf } of conditionLeaves(v.step.when, [])) if ('param' in leaf) used.add(leaf.param);
  }
  for (const name of Object.keys(ctx.playbook.params)) {
    if (!used.has(name)) {
      ctx.report({
        path: ['params', name],
        key: true,
        severity: 'warning',
        code: 'rule/unused-param',
        message: `param "${name}" is never used: refer to it as \${params.${name}} or remove it`,
      });
    }
  }
};

function checkField(ctx: RuleContext, field: TemplateField): void {
  const { refs, problems } = scanTemplate(field.value);
  for (const p of problems) ctx.report({ path: field.path, code: 'rule/template', message: p.message });
  for (const ref of refs) {
    if (ref.source === 'params' && !ctx.playbook.params[ref.name]) {
      ctx.report({ path: field.path, code: 'rule/unknown-param', message: unknownParam(ctx, ref.name) });
    }
  }
  if (field.kind !== 'datetime') return;
  const sole = soleParamRef(field.value);
  if (sole !== undefined) {
    const def = ctx.playbook.params[sole];
    if (def && def.type !== 'datetime') {
      ctx.report({
        path: field.path,
        code: 'rule/param-type',
        message:
          `\${params.${sole}} is a ${def.type} param; this field needs a datetime: ` +
          `declare "${sole}" with type: datetime, or write a UTC time like 2024-05-01T10:30:00Z`,
      });
    }
    return;
  }
  try {
    parseDatetime(field.value);
  } catch (error) {
    ctx.report({ path: field.path, code: 'rule/datetime', message: (error as Error).message });
  }
}

function unknownParam(ctx: RuleContext, name: string): string {
  const names = Object.keys(ctx.playbook.params);
  const hint = suggest(name, names);
  if (hint) return `param "${name}" is not defined (did you mean "${hint}"?)`;
  return `param "${name}" is not defined: declare it under params:${names.length ? ` (defined: ${names.join(', ')})` : ''}`;
}

/** Why `value` does not fit `def`, or undefined when it does. */
export function valueProblem(def: ParamDef, value: ParamValue): string | undefined {
  switch (def.type) {
    case 'number':
      return typeof value === 'number' ? undefined : `must be a number, not ${describe(value)}`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `must be true or false, not ${describe(value)}`;
    case 'string':
      if (typeof value !== 'string') return `must be a string, not ${describe(value)}`;
      return def.enum && !def.enum.includes(value) ? `must be one of ${def.enum.join(', ')}, not ${describe(value)}` : undefined;
    case 'datetime':
      if (typeof value !== 'string') return `must be a UTC datetime such as 2024-05-01T10:30:00Z, not ${describe(value)}`;
      try {
        parseDatetime(value);
        return undefined;
      } catch (error) {
        return `is invalid: ${(error as Error).message}`;
      }
    case 'duration':
      if (typeof value !== 'string') return `must be a duration such as 30s, not ${describe(value)}`;
      try {
        parseDuration(value);
        return undefined;
      } catch (error) {
        return `is invalid: ${(error as Error).message}`;
      }
  }
}
