// Loading and checking an inventory: YAML or JSON, validated against
// schemas/inventory.schema.json. Errors from a file point at file:line:col.

import { readFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { LineCounter, parseDocument, isMap, isSeq, type Node as YamlNode, type Document } from 'yaml';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsNs from 'ajv-formats';
import { InternalError, PlaybookError, UsageError, type Diagnostic } from '../errors.js';
import type { Inventory } from './types.js';

let compiled: ValidateFunction | undefined;

/** schemas/ sits at the package root: two levels up from engine/simulator, three from dist/. */
function schemaPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'schemas', 'inventory.schema.json');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new InternalError('cannot find schemas/inventory.schema.json beside the package');
}

function validator(): ValidateFunction {
  if (compiled) return compiled;
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormatsNs.default(ajv);
  compiled = ajv.compile(JSON.parse(readFileSync(schemaPath(), 'utf8')) as object);
  return compiled;
}

function describeError(e: ErrorObject): string {
  const where = e.instancePath || '(top level)';
  if (e.keyword === 'additionalProperties') return `${where}: unknown property "${String(e.params.additionalProperty)}"`;
  if (e.keyword === 'required') return `${where}: missing required property "${String(e.params.missingProperty)}"`;
  if (e.keyword === 'enum') return `${where}: must be one of ${JSON.stringify(e.params.allowedValues)}`;
  return `${where}: ${e.message ?? e.keyword}`;
}

/** Anything that anyOf produced is noise once a more precise error exists at the same place. */
function usefulErrors(errors: ErrorObject[]): ErrorObject[] {
  const precise = errors.filter((e) => e.keyword !== 'anyOf');
  return precise.length > 0 ? precise : errors;
}

/** Validates an inventory object; throws UsageError (exit 2) listing every problem. */
export function validateInventory(value: unknown, source = 'inventory'): Inventory {
  const validate = validator();
  if (validate(value)) return value as Inventory;
  const problems = usefulErrors(validate.errors ?? []).map(describeError);
  throw new UsageError(`invalid ${source}:\n${[...new Set(problems)].map((p) => `  - ${p}`).join('\n')}`);
}

/** Reads a YAML or JSON inventory file and validates it (errors at file:line:col). */
export async function loadInventory(file: string): Promise<Inventory> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read inventory ${file}${code ? ` (${code})` : ''}`, { cause: error });
  }
  const lineCounter = new LineCounter();
  // JSON is YAML 1.2, so one parser serves both and keeps positions for messages.
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter });
  const lines = text.split(/\r?\n/);
  const at = (offset: number, code: string, message: string): Diagnostic => {
    const { line, col } = lineCounter.linePos(offset);
    const sourceLine = lines[line - 1];
    return { file, line, col, severity: 'error', code, message, ...(sourceLine !== undefined ? { sourceLine } : {}) };
  };
  if (doc.errors.length > 0) {
    throw new PlaybookError(doc.errors.map((e) => at(e.pos[0], `yaml/${e.code}`, e.message.split('\n')[0] ?? e.message)));
  }
  const value: unknown = doc.toJS() ?? {};
  const validate = validator();
  if (validate(value)) return value as Inventory;
  throw new PlaybookError(usefulErrors(validate.errors ?? []).map((e) => at(offsetOf(doc, e), `schema/${e.keyword}`, describeError(e))));
}

/** Source offset of the node an ajv error points at (the nearest existing ancestor). */
function offsetOf(doc: Document, error: ErrorObject): number {
  const parts = error.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: unknown = doc.contents;
  let offset = (doc.contents as YamlNode | null)?.range?.[0] ?? 0;
  for (const part of parts) {
    let next: unknown;
    if (isMap(node)) next = node.items.find((pair) => String((pair.key as { value?: unknown } | null)?.value) === part)?.value;
    else if (isSeq(node)) next = node.items[Number(part)];
    if (!next) break;
    node = next;
    offset = (next as YamlNode).range?.[0] ?? offset;
  }
  if (error.keyword === 'additionalProperties' && isMap(node)) {
    const name = String(error.params.additionalProperty);
    const pair = node.items.find((p) => String((p.key as { value?: unknown } | null)?.value) === name);
    offset = (pair?.key as YamlNode | undefined)?.range?.[0] ?? offset;
  }
  return offset;
}
