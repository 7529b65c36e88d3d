// JSON decoding per spec §7: no root wrapper, attributes as plain properties, `null` for
// absent optionals. Real servers may prefix a UTF-8 BOM, which JSON.parse rejects.

export function parseJson(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(stripBom(text));
  } catch (error) {
    throw new Error(`malformed JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('malformed JSON: expected an object');
  }
  return value as Record<string, unknown>;
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A request body, properties in schema order (undefined values are omitted). */
export function buildJson(fields: readonly (readonly [string, string | boolean | undefined])[]): string {
  const object: Record<string, string | boolean> = {};
  for (const [name, value] of fields) if (value !== undefined) object[name] = value;
  return JSON.stringify(object);
}
