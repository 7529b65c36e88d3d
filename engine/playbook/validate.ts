// The validation pipeline: read → parse (positions kept) → JSON Schema → normalize →
// semantic rules. Returns every problem at once; `loadPlaybook` is the engine's entry.

import { resolve } from 'node:path';
import { PlaybookError, type Diagnostic } from '../errors.js';
import { decodeAndParse, loadSource, type Parsed } from './load.js';
import { normalize } from './normalize.js';
import { diagnosticAtPath } from './positions.js';
import { RULES } from './rules/all.js';
import { createContext } from './rules/context.js';
import { rulesBesideSchemaErrors } from './rules-beside-schema.js';
import { explainSchemaErrors, type SchemaProblem } from './schema-errors.js';
import { playbookSchema, schemaValidator } from './schema.js';
import type { Playbook } from './types.js';
import type { WrittenPlaybook } from './written.js';

export { parseDuration, parseDatetime } from './duration.js';
export { bindTemplate } from './template.js';
export { resolveParams } from './resolve-params.js';

export interface ValidationResult {
  /** Present when there is no error (warnings allowed). */
  playbook?: Playbook;
  /** Every problem, errors and warnings, in source order. */
  diagnostics: Diagnostic[];
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

/** Validates a playbook file. Never throws for bad input: problems are diagnostics. */
export async function validateFile(file: string): Promise<ValidationResult> {
  const loaded = await loadSource(file);
  return 'source' in loaded ? validateParsed(loaded, resolve(file)) : result(loaded.diagnostics);
}

/** Validates playbook text or bytes as if read from `file` (tests, fuzzing, editors). */
export function validateText(file: string, content: string | Uint8Array): ValidationResult {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  const parsed = decodeAndParse(file, bytes);
  return 'source' in parsed ? validateParsed(parsed, resolve(file)) : result(parsed.diagnostics);
}

/** Loads a valid playbook for the engine, or throws PlaybookError with every diagnostic. */
export async function loadPlaybook(file: string): Promise<Playbook> {
  const r = await validateFile(file);
  if (!r.playbook) throw new PlaybookError(r.diagnostics);
  return r.playbook;
}

function validateParsed(parsed: Parsed, absoluteFile: string): ValidationResult {
  const diagnostics = [...parsed.diagnostics];
  if (diagnostics.some((d) => d.severity === 'error')) return result(diagnostics);
  const { source, data } = parsed;
  if (data === null || data === undefined) {
    diagnostics.push(
      diagnosticAtPath(source, [], 'error', 'schema/empty', 'the file is empty: a playbook needs at least version: 1, name and steps'),
    );
    return result(diagnostics);
  }
  const schemaProblems = checkSchema(data);
  if (schemaProblems.length > 0) {
    diagnostics.push(...schemaProblems.map((p) => diagnosticAtPath(source, p.path, 'error', p.code, p.message, { key: p.key })));
    // The rules still check the steps that passed, where that can be told reliably.
    diagnostics.push(...rulesBesideSchemaErrors(source, data, schemaProblems, absoluteFile));
    return result(diagnostics);
  }

  // Schema-valid from here on, so the written shape can be trusted.
  const written = data as WrittenPlaybook;
  const playbook = normalize(written, absoluteFile, source);
  const ruleDiagnostics: Diagnostic[] = [];
  const ctx = createContext(playbook, written, source, source.file, ruleDiagnostics);
  for (const rule of RULES) rule(ctx);
  diagnostics.push(...ruleDiagnostics);
  return result(diagnostics, playbook);
}

function checkSchema(data: unknown): SchemaProblem[] {
  const validate = schemaValidator();
  if (validate(data)) return [];
  const defs = (playbookSchema().$defs ?? {}) as Parameters<typeof explainSchemaErrors>[1];
  return explainSchemaErrors(validate.errors ?? [], defs);
}

function result(diagnostics: Diagnostic[], playbook?: Playbook): ValidationResult {
  const sorted = [...diagnostics].sort((a, b) => a.line - b.line || a.col - b.col);
  const errors = sorted.filter((d) => d.severity === 'error');
  const warnings = sorted.filter((d) => d.severity === 'warning');
  return { ...(playbook && errors.length === 0 ? { playbook } : {}), diagnostics: sorted, errors, warnings };
}
