// The JSON Schema and its validator. The validator is ajv standalone code generated from
// schemas/playbook.schema.json into schemas/playbook.validate.cjs (compiling the schema at
// run time costs ~90 ms per process; loading the generated code ~6 ms). A test regenerates
// it and fails when the committed file is stale: `node --import tsx test/tools/generate-validator.ts`.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject } from 'ajv';
import { InternalError } from '../errors.js';

export interface SchemaValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/** Options shared by the generator and the tests that compile the schema directly. */
export const AJV_OPTIONS = {
  allErrors: true,
  strict: true,
  // `if: {required: [kind]}` dispatches on a key without declaring it in that subschema.
  strictRequired: false,
  allowUnionTypes: true,
  // parentSchema on errors lets messages name the allowed keys.
  verbose: true,
} as const;

let schemasDir: string | undefined;
/** schemas/ at the package root, found from this module in both engine/ (tsx) and dist/engine/. */
export function schemasDirectory(): string {
  if (schemasDir) return schemasDir;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'schemas', 'playbook.schema.json'))) {
      schemasDir = join(dir, 'schemas');
      return schemasDir;
    }
    dir = dirname(dir);
  }
  throw new InternalError('cannot find schemas/playbook.schema.json next to the engine');
}

export const schemaFile = () => join(schemasDirectory(), 'playbook.schema.json');
export const validatorFile = () => join(schemasDirectory(), 'playbook.validate.cjs');

let schema: Record<string, unknown> | undefined;
export function playbookSchema(): Record<string, unknown> {
  schema ??= JSON.parse(readFileSync(schemaFile(), 'utf8')) as Record<string, unknown>;
  return schema;
}

let validator: SchemaValidator | undefined;
/** The compiled validator, loaded once per process on first use. */
export function schemaValidator(): SchemaValidator {
  if (validator) return validator;
  const mod = createRequire(import.meta.url)(validatorFile()) as { default?: SchemaValidator } & SchemaValidator;
  validator = typeof mod.default === 'function' ? mod.default : mod;
  return validator;
}

/** Standalone CommonJS source of the validator for the current schema. */
export async function generateValidatorSource(): Promise<string> {
  const { Ajv2020 } = await import('ajv/dist/2020.js');
  const standalone = (await import('ajv/dist/standalone/index.js')).default as unknown as {
    default: (ajv: unknown, validate: unknown) => string;
  };
  const ajv = new Ajv2020({ ...AJV_OPTIONS, code: { source: true, esm: false } });
  const validate = ajv.compile(playbookSchema());
  const code = standalone.default(ajv, validate);
  return `// Generated from playbook.schema.json by test/tools/generate-validator.ts: do not edit.\n${code}\n`;
}
