// A decoded response body, whatever media type EM answered in. XML and JSON land in the
// same shape (attributes and children as properties, §7); only collections and `Links`
// differ, and codec.ts reads both.

import type { MediaType } from '../playbook/types.js';
import { parseJson, stripBom } from './json.js';
import { parseXml } from './xml.js';

export type Node = Record<string, unknown>;

export interface EmDocument {
  media: MediaType;
  /** The XML root element name; undefined for JSON (no root wrapper). */
  root: string | undefined;
  body: Node;
}

/**
 * Decodes a body by its content (not its Content-Type, which EM proxies get wrong).
 * Returns undefined for an empty body; throws an Error saying what is malformed.
 */
export function decodeDocument(text: string): EmDocument | undefined {
  const trimmed = stripBom(text).trim();
  if (trimmed === '') return undefined;
  if (trimmed.startsWith('<')) {
    const { root, body } = parseXml(trimmed);
    return { media: 'xml', root, body };
  }
  if (trimmed.startsWith('{')) return { media: 'json', root: undefined, body: parseJson(trimmed) };
  throw new Error(`neither XML nor JSON (starts with ${JSON.stringify(trimmed.slice(0, 20))})`);
}

/** EM's `Error/@Message` (XML) or `Message` (JSON), if the body is an EM Error. */
export function emErrorMessage(doc: EmDocument | undefined): string | undefined {
  if (!doc) return undefined;
  if (doc.media === 'xml' && doc.root !== 'Error') return undefined;
  const message = doc.body['Message'];
  if (doc.media === 'json' && !('StatusCode' in doc.body)) return undefined;
  return typeof message === 'string' && message !== '' ? message : undefined;
}

/** Is this an EM `Error` representation (XML root Error, or JSON with Message + StatusCode)? */
export function isEmError(doc: EmDocument | undefined): boolean {
  if (!doc) return false;
  if (doc.media === 'xml') return doc.root === 'Error';
  return 'Message' in doc.body && 'StatusCode' in doc.body;
}
