// EM's JSON by rule (API spec §7): no root wrapper, no @ prefixes, attributes become
// properties, Links are arrays of {Rel, Href, Name, Type} with nulls, collections are
// {"Refs": [...]} / {"<Plural>": [...]}.

import type { El, Scalar } from './doc.js';

type Json = Scalar | Json[] | { [key: string]: Json };

function attr(el: El, key: string): Json {
  const value = el.attrs?.[key];
  return value === undefined ? null : value;
}

function childProps(el: El, skip: (c: El) => boolean): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const child of el.children ?? []) {
    if (skip(child)) continue;
    out[child.name] = toJson(child);
  }
  return out;
}

export function toJson(el: El): Json {
  if (el.jsonValue !== undefined) return el.jsonValue as Json;
  switch (el.json) {
    case 'link':
      return { Rel: attr(el, 'Rel'), Href: attr(el, 'Href'), Name: attr(el, 'Name'), Type: attr(el, 'Type') };
    case 'array':
      return (el.children ?? []).map(toJson);
    case 'list':
      return { [el.listKey ?? el.name]: (el.children ?? []).map(toJson) };
    case 'ref': {
      const linksEl = el.children?.find((c) => c.name === 'Links');
      return {
        ...(linksEl ? { Links: toJson(linksEl) } : {}),
        UID: attr(el, 'UID'),
        Name: attr(el, 'Name'),
        Href: attr(el, 'Href'),
        Type: attr(el, 'Type'),
      };
    }
    case 'resource': {
      const out = childProps(el, (c) => c.name === 'Links');
      for (const [key, value] of Object.entries(el.attrs ?? {})) {
        if (key === 'Href' || key === 'Type' || value === undefined) continue;
        out[key] = value;
      }
      const linksEl = el.children?.find((c) => c.name === 'Links');
      if (linksEl) out.Links = toJson(linksEl);
      out.Href = attr(el, 'Href');
      out.Type = attr(el, 'Type');
      return out;
    }
    default: {
      if (!el.children && !el.attrs) return el.text ?? null;
      const out = childProps(el, () => false);
      for (const [key, value] of Object.entries(el.attrs ?? {})) if (value !== undefined) out[key] = value;
      return out;
    }
  }
}

export function renderJson(root: El): string {
  return JSON.stringify(toJson(root));
}
