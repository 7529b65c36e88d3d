import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The project root (this file is test/helpers/paths.ts). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** `../shared` beside the project: the API spec and EM fixtures (CI copies it there too). */
export const sharedDir = join(repoRoot, '..', 'shared');
export const fixturesDir = join(sharedDir, 'em-fixtures');
export const docsFixture = (name: string) => join(fixturesDir, 'docs', name);
export const playbooksDir = join(repoRoot, 'playbooks');
/** The built CLI; `npm test` builds before running the suites. */
export const cliPath = join(repoRoot, 'dist', 'cli.js');
