import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** test/bench/ */
export const benchDir = fileURLToPath(new URL('./', import.meta.url));
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const distCli = join(repoRoot, 'dist', 'cli.js');
