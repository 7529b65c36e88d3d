// Request bodies. The body is read in the negotiated media (§7): with application/json in
// Accept the server parses JSON, so an XML body fails with 400 "Node [root] does not
// exist." (the 9.5 U4 pitfall); otherwise XML, whose elements must come in schema order.

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { HttpError, type Ctx } from './context.js';

export interface ParsedBody {
  /** XML root element (local name); undefined for JSON. */
  root?: string;
  /** Child elements / properties in document order, values as text (JSON: as given). */
  entries: Array<[string, unknown]>;
}

const parser = new XMLParser({ preserveOrder: true, removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false, trimValues: true });

/** The body, or undefined when there is none. Requires a Content-Type when there is one (§1). */
export async function readBody(ctx: Ctx): Promise<ParsedBody | undefined> {
  const raw = (await ctx.request.text()).replace(/^\uFEFF/, '');
  if (raw.trim() === '') return undefined;
  const type = ctx.request.headers.get('content-type')?.toLowerCase() ?? '';
  if (!/^(application|text)\/(xml|json)\b/.test(type)) {
    const what = type ? `Content-Type "${type}" is not supported` : 'The Content-Type header is required for a request with a body';
    throw new HttpError(400, `${what}: send application/xml or application/json.`);
  }
  return ctx.json ? parseJson(raw) : parseXml(raw);
}

function parseJson(raw: string): ParsedBody {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    // What EM 9.5 U4+ answers when its JSON reader meets anything else, XML included (§7).
    throw new HttpError(400, 'Node [root] does not exist.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, 'Node [root] does not exist.');
  return { entries: Object.entries(value) };
}

type OrderedNode = Record<string, unknown>;

function parseXml(raw: string): ParsedBody {
  const valid = XMLValidator.validate(raw);
  if (valid !== true) {
    // .NET XmlSerializer's wording, with the position fast-xml-parser reports.
    throw new HttpError(400, `There is an error in XML document (${valid.err.line}, ${valid.err.col ?? 1}). ${valid.err.msg}`);
  }
  let nodes: OrderedNode[];
  try {
    nodes = parser.parse(raw) as OrderedNode[];
  } catch (error) {
    throw new HttpError(400, `There is an error in XML document: ${error instanceof Error ? error.message : String(error)}`);
  }
  const rootNode = nodes.find((n) => !Object.keys(n)[0]?.startsWith('?'));
  const root = rootNode ? Object.keys(rootNode)[0] : undefined;
  if (!rootNode || !root) throw new HttpError(400, 'There is an error in XML document (1, 1). Root element is missing.');
  const entries: Array<[string, unknown]> = [];
  for (const child of (rootNode[root] as OrderedNode[]) ?? []) {
    const name = Object.keys(child).find((k) => k !== ':@');
    if (!name || name === '#text') continue;
    const content = child[name] as OrderedNode[];
    const text = content
      .map((c) => c['#text'])
      .filter((t) => t !== undefined)
      .join('');
    entries.push([name, text]);
  }
  return { root, entries };
}

export function summarize(root: string | undefined, entries: Array<[string, unknown]>): string {
  return [
    root ?? 'json',
    ...entries.map(([k, v]) => `${k}=${typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : JSON.stringify(v)}`),
  ].join(' ');
}
