// Every string that comes from a report (names, messages, params, URLs) passes through
// here before it reaches the page: playbook and VM names are user-written and may hold
// `<`, `&` or quotes. The same escaping is valid in HTML text, quoted attributes and
// inline SVG (which the HTML parser reads with the same entity rules).

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML/SVG content and double- or single-quoted attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** A tag's attributes from a record; undefined values are left out, every value escaped. */
export function attrs(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => ` ${name}="${esc(value)}"`)
    .join('');
}

/** Shortens long text for a fixed-width label (the full text stays in a tooltip). */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
