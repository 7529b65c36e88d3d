// One representation tree, two renderings: every response body is built once as an `El`
// tree in XML order (xml-render.ts) and turned into EM's JSON by rule (json-render.ts,
// API spec §7). `json` says which JSON rule an element follows.

export type Scalar = string | number | boolean | null;

export type JsonRule =
  /** An entity or resource: own fields, then Name, UID (other attributes), Links, Href, Type. */
  | 'resource'
  /** A reference (`Ref`, `EntityRef`): Links, UID, Name, Href, Type. */
  | 'ref'
  /** `{Rel, Href, Name, Type}`, absent ones `null` (as real servers send). */
  | 'link'
  /** A list element rendered as `{"<listKey>": [items]}`. */
  | 'list'
  /** A list element rendered as a bare array (`Links`, `Intervals`, `RestorePoints`). */
  | 'array'
  /** A nested info element: child properties first, then attribute properties. */
  | 'info';

export interface El {
  name: string;
  /** XML attribute order = insertion order; undefined values are omitted. */
  attrs?: Record<string, Scalar | undefined>;
  children?: El[];
  /** Leaf text; booleans and numbers keep their JSON type. */
  text?: Scalar;
  json?: JsonRule;
  /** `list` rule: the array's key (default: the element's own name). */
  listKey?: string;
  /** Bypass the rules: the exact JSON value (QueryResult's null slots, Error's five keys). */
  jsonValue?: unknown;
}

export function leaf(name: string, text: Scalar): El {
  return { name, text };
}

export function link(rel: string, href: string, type?: string, name?: string): El {
  return { name: 'Link', json: 'link', attrs: { Rel: rel, Type: type, Href: href, Name: name } };
}

export function links(list: El[]): El {
  return { name: 'Links', json: 'array', children: list };
}

/** EM writes UTC datetimes without offset in CDP bodies (`2023-02-17T07:01:25`). */
export function emDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

/** With a `Z`, as in RestoreSession's *UTC fields. */
export function emDateZ(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
