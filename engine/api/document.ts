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

/** The media types EM answers in (parameters such as charset allowed). */
const EM_MEDIA_TYPES = new Set(['application/xml', 'text/xml', 'application/json']);

/**
 * Is this Content-Type one EM answers with? An HTML login portal or proxy error page is
 * not EM's answer, however well it parses as XML.
 */
export function isEmMediaType(contentType: string | null): boolean {
  if (contentType === null) return false;
  const essence = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return EM_MEDIA_TYPES.has(essence);
}

/**
 * Decodes a body by its content: XML or JSON, whichever EM actually sent (the Content-Type
 * is checked separately, by isEmMediaType).
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
  const message = doc.body.Message;
  if (doc.media === 'json' && !('StatusCode' in doc.body)) return undefined;
  return typeof message === 'string' && message !== '' ? message : undefined;
}

/** Is this an EM `Error` representation (XML root Error, or JSON with Message + StatusCode)? */
export function isEmError(doc: EmDocument | undefined): boolean {
  if (!doc) return false;
  if (doc.media === 'xml') return doc.root === 'Error';
  return 'Message' in doc.body && 'StatusCode' in doc.body;
}
