// XML rendering of an El tree: EM namespace on the root (with the xsd/xsi declarations
// real servers add), children in tree order, pretty-printed.

import type { El, Scalar } from './doc.js';

export const EM_NS = 'http://www.veeam.com/ent/v1.0';

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
function escapeAttr(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;');
}
function scalar(value: Scalar): string {
  return value === null ? '' : String(value);
}

function attrsOf(el: El): string {
  let out = '';
  for (const [key, value] of Object.entries(el.attrs ?? {})) {
    if (value === undefined || value === null) continue;
    out += ` ${key}="${escapeAttr(scalar(value))}"`;
  }
  return out;
}

function write(el: El, indent: string, out: string[], rootAttrs = ''): void {
  const open = `${indent}<${el.name}${rootAttrs}${attrsOf(el)}`;
  if (el.children && el.children.length > 0) {
    out.push(`${open}>`);
    for (const child of el.children) write(child, `${indent}  `, out);
    out.push(`${indent}</${el.name}>`);
  } else if (el.text !== undefined && el.text !== null) {
    out.push(`${open}>${escapeText(scalar(el.text))}</${el.name}>`);
  } else {
    out.push(`${open} />`);
  }
}

export function renderXml(root: El): string {
  const out = ['<?xml version="1.0" encoding="utf-8"?>'];
  const ns = ` xmlns="${EM_NS}" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`;
  write(root, '', out, ns);
  return `${out.join('\n')}\n`;
}
