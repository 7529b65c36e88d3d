import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The project root (this file is test/helpers/paths.ts). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** `../shared` beside the project, when present (CI copies it there): the API spec and the XSD. */
export const sharedDir = join(repoRoot, '..', 'shared');
/** The EM bodies the tests read, copied into the repo so a plain clone passes (README there). */
export const fixturesDir = join(repoRoot, 'test', 'fixtures', 'em');
/** Veeam's RestAPI.xsd is not copied (see test/fixtures/em/README.md): read from `../shared` when there. */
export const xsdPath = join(sharedDir, 'em-fixtures', 'external', 'veeam-em-xsd', 'RestAPI.xsd');
export const docsFixture = (name: string) => join(fixturesDir, 'docs', name);
export const playbooksDir = join(repoRoot, 'playbooks');
/** The built CLI; `npm test` builds before running the suites. */
export const cliPath = join(repoRoot, 'dist', 'cli.js');
