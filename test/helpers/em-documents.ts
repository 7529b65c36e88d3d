// Real EM bodies (em-fixtures/docs and external) decoded into documents, for the codec
// suites (api-codec*.test.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeDocument, type EmDocument } from '../../engine/api/document.js';
import { docsFixture, fixturesDir } from './paths.js';

export const doc = (text: string): EmDocument => {
  const d = decodeDocument(text);
  if (!d) throw new Error('empty');
  return d;
};
export const fixture = (name: string) => doc(readFileSync(docsFixture(name), 'utf8'));
export const external = (path: string) => doc(readFileSync(join(fixturesDir, 'external', path), 'utf8'));
