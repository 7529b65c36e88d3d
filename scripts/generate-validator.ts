// Regenerates schemas/playbook.validate.cjs after schemas/playbook.schema.json changes:
//   node --import tsx scripts/generate-validator.ts
import { writeFileSync } from 'node:fs';
import { generateValidatorSource, validatorFile } from '../engine/playbook/schema.js';

writeFileSync(validatorFile(), await generateValidatorSource());
process.stdout.write(`wrote ${validatorFile()}\n`);
