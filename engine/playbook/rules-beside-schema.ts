// The semantic rules for the parts that passed the schema while others did not, so one
// `runbook validate` shows all it can: a pull request should not need one round to fix a
// schema error and a second to learn that a condition names a step that does not exist.
//
// The rules read the playbook as normalized, which needs a schema-valid document. Each
// top-level step with a schema error is swapped for a placeholder (a wait step under the same
// id where that id is usable), so every other step keeps its index, its position in the file
// and the ids it can refer to. A bad `name` stands in as a made-up one; a bad `description`,
// `server`, `targets` or `defaults` is left out (the steps then read the built-in defaults,
// which no rule faults; the rules that compare a step with targets hold back). Problems found
// inside stand-ins are dropped, and so are the findings a missing part could make wrong (see
// RuleContext.partial). Errors in `version` or `params`, or an unknown top-level key (a
// misspelt `params:`?), change how every step reads: then the rules wait for the schema.

import type { Diagnostic } from '../errors.js';
import { normalize } from './normalize.js';
import type { Source } from './positions.js';
import { RULES } from './rules/all.js';
import { createContext } from './rules/context.js';
import type { SchemaProblem } from './schema-errors.js';
import { schemaValidator } from './schema.js';
import type { WrittenPlaybook } from './written.js';

/** Top-level keys that can stand aside (rules-beside-schema above), and what stands in. */
const STAND_INS: Record<string, ((record: Record<string, unknown>) => void) | undefined> = {
  name: (record) => {
    record.name = 'playbook';
  },
  description: (record) => void delete record.description,
  server: (record) => void delete record.server,
  targets: (record) => void delete record.targets,
  defaults: (record) => void delete record.defaults,
};

/** Rule problems of the schema-valid parts, or none when that cannot be told reliably. */
export function rulesBesideSchemaErrors(
  source: Source,
  data: unknown,
  problems: readonly SchemaProblem[],
  absoluteFile: string,
): Diagnostic[] {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return [];
  const invalid = new Set<number>();
  const standIns = new Set<string>();
  for (const { path, missingKey } of problems) {
    const key = path.length === 0 ? missingKey : path[0];
    if (key === 'steps' && typeof path[1] === 'number') invalid.add(path[1]);
    else if (typeof key === 'string' && STAND_INS[key]) standIns.add(key);
    else return [];
  }
  const record = { ...(data as Record<string, unknown>) };
  for (const key of standIns) STAND_INS[key]!(record);
  const steps = record.steps;
  if (!Array.isArray(steps) || invalid.size + standIns.size === 0) return [];

  const writtenIds = new Set<string>();
  collectIds(steps, writtenIds);
  const skippedStepIds = new Set<string>();
  for (const i of invalid) collectIds([steps[i]], skippedStepIds);

  // First with each invalid step's own id (conditions naming it keep resolving); if an id is
  // itself the problem, with made-up ids that no step uses.
  for (const keepIds of [true, false]) {
    const patched = {
      ...record,
      steps: steps.map((step, i) =>
        invalid.has(i) ? { id: keepIds ? (ownId(step) ?? unusedId(i, writtenIds)) : unusedId(i, writtenIds), wait: '1s' } : step,
      ),
    };
    if (!schemaValidator()(patched)) continue;
    const written = patched as unknown as WrittenPlaybook;
    const out: Diagnostic[] = [];
    const ctx = createContext(normalize(written, absoluteFile), written, source, source.file, out, {
      placeholders: invalid,
      skippedStepIds,
      standIns,
    });
    for (const rule of RULES) rule(ctx);
    return out;
  }
  return [];
}

function ownId(step: unknown): string | undefined {
  const id = (step as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : undefined;
}

function unusedId(index: number, taken: ReadonlySet<string>): string {
  let id = `invalid-step-${index}`;
  while (taken.has(id)) id += '_';
  return id;
}

/** The ids written in these steps and, through `parallel`, in their children. */
function collectIds(steps: readonly unknown[], into: Set<string>): void {
  for (const step of steps) {
    const id = ownId(step);
    if (id !== undefined) into.add(id);
    const children = (step as { parallel?: unknown } | null)?.parallel;
    if (Array.isArray(children)) collectIds(children, into);
  }
}
