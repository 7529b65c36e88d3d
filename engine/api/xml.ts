// XML decoding with fast-xml-parser (LIBRARIES.md §4): validate first (the parser itself
// accepts broken XML), strip namespace prefixes, keep attributes as plain properties (the
// same shape EM's JSON uses, §7), never coerce values (ids stay strings), and force arrays
// for elements that repeat so one `<Link>` is still a list.

import { XMLParser, XMLValidator } from 'fast-xml-parser';

export const EM_NAMESPACE = 'http://www.veeam.com/ent/v1.0';

/** Elements that may repeat inside their parent; always parsed as arrays (never at the root). */
const REPEATED = new Set([
  'Link',
  'Ref',
  'Task',
  'Interval',
  'RestorePoint',
  'LogonSession',
  'Items',
  'SupportedVersion',
  'CdpReplica',
  'CdpReplicaVm',
  'VmCdpReplica',
  'VAppCdpReplica',
  'VAppCdpReplicaVm',
  'FailoverPlan',
  'RestoreSession',
  'Entity',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // The path as a matcher, not a string: with `jPath: true` the parser builds the dotted
  // path for every element that has attributes (~20% of its time on a 200-task list).
  jPath: false,
  isArray: (name: string, path: unknown, _leaf: boolean, isAttribute: boolean) =>
    !isAttribute && REPEATED.has(name) && (path as { getDepth(): number }).getDepth() > 1,
});

export interface XmlDocument {
  root: string;
  body: Record<string, unknown>;
}

/** Parses an XML document; throws an Error whose message says what is wrong. */
export function parseXml(text: string): XmlDocument {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new Error(`malformed XML at ${line}:${col ?? 0}: ${msg}`);
  }
  const parsed = parser.parse(text) as Record<string, unknown>;
  const roots = Object.keys(parsed).filter((k) => !k.startsWith('?'));
  const root = roots[0];
  if (roots.length !== 1 || root === undefined) throw new Error('malformed XML: expected exactly one root element');
  const value = parsed[root];
  // `<Root/>` parses as '' and a text-only root as a string: both mean "no fields".
  const body = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  return { root, body };
}

/** One element of a request body: name and text value (undefined = omitted). */
export type XmlField = readonly [name: string, value: string | boolean | undefined];

/** A request body in schema order (the docs require xs:sequence order, §1). */
export function buildXml(root: string, fields: readonly XmlField[]): string {
  const lines = ['<?xml version="1.0" encoding="utf-8"?>', `<${root} xmlns="${EM_NAMESPACE}">`];
  for (const [name, value] of fields) {
    if (value === undefined) continue;
    lines.push(`  <${name}>${escapeXml(String(value))}</${name}>`);
  }
  lines.push(`</${root}>`);
  return `${lines.join('\n')}\n`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
