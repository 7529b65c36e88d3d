// A one-pass reader for the plain XML EM sends (elements, attributes, text; no entities,
// comments, CDATA or DOCTYPE), building exactly the tree fast-xml-parser builds with the
// options of xml.ts. It is a shortcut, never a judge: anything outside that plain subset,
// and anything malformed, returns undefined and xml.ts takes the full path (XMLValidator,
// then fast-xml-parser), which gives the error message. Measured at 1,000 VMs: validate +
// parse of fast-xml-parser cost ~0.5 ms per VM (a 200-task `GET /tasks` each tick).
// test/api-xml-fast.test.ts checks it against fast-xml-parser on fixtures and random
// (and randomly broken) documents.

type Tree = Record<string, unknown>;

/** Element and attribute names we read ourselves (at most one prefix, stripped). */
const NAME = /[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?/y;
const SPACE = /[ \t\r\n]*/y;
/** Characters the plain subset never contains: entities, control characters. */
const OUTSIDE = /[&\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;
const DECLARATION =
  /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(["'])1\.[01]\1([ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])[A-Za-z][\w.-]*\3)?([ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(yes|no)\5)?[ \t\r\n]*\?>/;
/** Names that would touch Object.prototype: fast-xml-parser sanitizes them, we defer. */
const UNSAFE = new Set(['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf']);

interface Frame {
  name: string;
  local: string;
  node: Tree;
  /** Attribute names, once it has any (a child of the same name is deferred). */
  attributes: Set<string> | undefined;
  hasChildren: boolean;
  text: string;
}

/**
 * The parsed document as fast-xml-parser returns it (declaration key included), or
 * undefined when the document is outside the plain subset or malformed.
 * `repeated`: element names always read as arrays below the root.
 */
export function parsePlainXml(text: string, repeated: ReadonlySet<string>): Tree | undefined {
  if (OUTSIDE.test(text)) return undefined;
  const result: Tree = {};
  let i = 0;
  const declaration = DECLARATION.exec(text);
  if (declaration) {
    result['?xml'] = '';
    i = declaration[0].length;
  }
  const stack: Frame[] = [];
  const seen = new Set<string>();
  let rootDone = false;
  const n = text.length;
  while (i < n) {
    const lt = text.indexOf('<', i);
    const chunk = lt === -1 ? text.slice(i) : text.slice(i, lt);
    const trimmed = chunk.trim();
    if (trimmed !== '') {
      const top = stack[stack.length - 1];
      if (!top || top.hasChildren || top.text !== '' || trimmed.includes('>')) return undefined;
      top.text = trimmed;
    }
    if (lt === -1) break;
    i = lt + 1;
    const c = text.charCodeAt(i);
    if (c === 47 /* / */) {
      const top = stack.pop();
      if (!top) return undefined;
      const end = i + 1 + top.name.length;
      if (text.slice(i + 1, end) !== top.name) return undefined;
      SPACE.lastIndex = end;
      SPACE.exec(text);
      if (text.charCodeAt(SPACE.lastIndex) !== 62 /* > */) return undefined;
      i = SPACE.lastIndex + 1;
      if (!close(top, stack, result, repeated)) return undefined;
      if (stack.length === 0) rootDone = true;
      continue;
    }
    if (rootDone) return undefined;
    NAME.lastIndex = i;
    const match = NAME.exec(text);
    if (!match) return undefined;
    const name = match[0];
    const local = localName(name);
    if (local === undefined || local.startsWith('xmlns') || UNSAFE.has(local)) return undefined;
    i = NAME.lastIndex;
    const frame: Frame = { name, local, node: {}, attributes: undefined, hasChildren: false, text: '' };
    const parent = stack[stack.length - 1];
    if (parent) {
      if (parent.text !== '') return undefined;
      parent.hasChildren = true;
    }
    // Attributes, then `>` or `/>`.
    seen.clear();
    for (;;) {
      SPACE.lastIndex = i;
      SPACE.exec(text);
      const spaced = SPACE.lastIndex > i;
      i = SPACE.lastIndex;
      const d = text.charCodeAt(i);
      if (d === 62 /* > */) {
        i++;
        stack.push(frame);
        break;
      }
      if (d === 47 /* / */) {
        if (text.charCodeAt(i + 1) !== 62) return undefined;
        i += 2;
        if (!close(frame, stack, result, repeated)) return undefined;
        if (stack.length === 0) rootDone = true;
        break;
      }
      if (!spaced) return undefined;
      NAME.lastIndex = i;
      const attr = NAME.exec(text);
      if (!attr) return undefined;
      i = NAME.lastIndex;
      SPACE.lastIndex = i;
      SPACE.exec(text);
      if (text.charCodeAt(SPACE.lastIndex) !== 61 /* = */) return undefined;
      SPACE.lastIndex += 1;
      SPACE.exec(text);
      i = SPACE.lastIndex;
      const quote = text[i];
      if (quote !== '"' && quote !== "'") return undefined;
      const close_ = text.indexOf(quote, i + 1);
      if (close_ === -1) return undefined;
      const value = text.slice(i + 1, close_);
      if (value.includes('<') || value.includes('>')) return undefined;
      i = close_ + 1;
      const attrName = attr[0];
      // Duplicates (raw names, xmlns included) are malformed: the full path says so.
      if (seen.has(attrName)) return undefined;
      seen.add(attrName);
      if (attrName === 'xmlns' || attrName.startsWith('xmlns:')) continue;
      const attrLocal = localName(attrName);
      if (attrLocal === undefined || UNSAFE.has(attrLocal) || attrLocal === '#text') return undefined;
      if (frame.attributes?.has(attrLocal)) return undefined;
      frame.node[attrLocal] = value.trim();
      (frame.attributes ??= new Set()).add(attrLocal);
    }
  }
  if (!rootDone || stack.length !== 0) return undefined;
  return result;
}

function localName(name: string): string | undefined {
  const colon = name.indexOf(':');
  if (colon === -1) return name;
  const prefix = name.slice(0, colon);
  if (prefix === 'xmlns') return undefined;
  return name.slice(colon + 1);
}

/** Attaches a finished element to its parent (or the result); false = defer to the full path. */
function close(frame: Frame, stack: Frame[], result: Tree, repeated: ReadonlySet<string>): boolean {
  let value: unknown;
  if (frame.hasChildren) {
    value = frame.node;
  } else if (frame.attributes) {
    if (frame.text !== '') frame.node['#text'] = frame.text;
    value = frame.node;
  } else {
    value = frame.text;
  }
  const parent = stack[stack.length - 1];
  if (!parent) {
    if (Object.prototype.hasOwnProperty.call(result, frame.local)) return false;
    result[frame.local] = value;
    return true;
  }
  const siblings = parent.node;
  const key = frame.local;
  if (!Object.prototype.hasOwnProperty.call(siblings, key)) {
    if (parent.attributes?.has(key)) return false;
    siblings[key] = repeated.has(key) ? [value] : value;
    return true;
  }
  // An attribute of the parent with this name: fast-xml-parser merges them; defer.
  if (parent.attributes?.has(key)) return false;
  const existing = siblings[key];
  if (Array.isArray(existing)) existing.push(value);
  else siblings[key] = [existing, value];
  return true;
}
