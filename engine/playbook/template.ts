// Template strings: `${params.name}` and `${env.NAME}` references, `$${` for a literal `${`.
// Templates are plain substitution, never evaluated.

import { UsageError } from '../errors.js';
import type { ParamValue } from './types.js';

export interface TemplateRef {
  source: 'params' | 'env';
  name: string;
  /** Offset of the `$` in the template. */
  offset: number;
  /** Length of the whole `${…}` reference. */
  length: number;
}

export interface TemplateProblem {
  offset: number;
  message: string;
}

const REF = /\$\$\{|\$\{([^}]*)\}?/g;
const INNER = /^(params|env)\.([A-Za-z_][A-Za-z0-9_]*)$/;

/** Every reference in a template, plus malformed ones as problems. */
export function scanTemplate(template: string): { refs: TemplateRef[]; problems: TemplateProblem[] } {
  const refs: TemplateRef[] = [];
  const problems: TemplateProblem[] = [];
  for (const m of template.matchAll(REF)) {
    if (m[0] === '$${') continue;
    const offset = m.index;
    if (!m[0].endsWith('}')) {
      problems.push({ offset, message: `unclosed "\${" in "${template}": close it with "}" or write "$\${" for a literal "\${"` });
      continue;
    }
    const inner = INNER.exec((m[1] ?? '').trim());
    if (!inner) {
      problems.push({
        offset,
        message: `"${m[0]}" is not a reference: use \${params.name} or \${env.NAME} (write "$\${" for a literal "\${")`,
      });
      continue;
    }
    refs.push({ source: inner[1] as 'params' | 'env', name: inner[2]!, offset, length: m[0].length });
  }
  return { refs, problems };
}

/** If the whole template is one `${params.x}` reference, its param name. */
export function soleParamRef(template: string): string | undefined {
  return /^\$\{\s*params\.([A-Za-z_][A-Za-z0-9_]*)\s*\}$/.exec(template)?.[1];
}

/**
 * Substitutes references. A missing param or unset environment variable is a UsageError
 * naming the reference, so `plan` and `run` fail before anything is sent.
 */
export function bindTemplate(
  template: string,
  context: { params: Record<string, ParamValue>; env: Record<string, string | undefined> },
): string {
  const { problems } = scanTemplate(template);
  if (problems[0]) throw new UsageError(problems[0].message);
  return template.replace(REF, (whole, inner: string | undefined) => {
    if (whole === '$${') return '${';
    const m = INNER.exec((inner ?? '').trim())!;
    const name = m[2]!;
    if (m[1] === 'params') {
      const value = context.params[name];
      if (value === undefined) throw new UsageError(`\${params.${name}} has no value: pass --param ${name}=<value>`);
      return String(value);
    }
    const value = context.env[name];
    if (value === undefined) throw new UsageError(`\${env.${name}} is used but the environment variable ${name} is not set`);
    return value;
  });
}
