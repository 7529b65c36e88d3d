import { UsageError } from '../errors.js';

/** `--param name=value` pairs into a record; a malformed pair is a UsageError. */
export function parseParamFlags(values: string[] | undefined): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of values ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param expects name=value, got "${pair}"`);
    const name = pair.slice(0, eq);
    // Last-wins would silently drop a value the operator typed: a param is given once.
    if (Object.hasOwn(params, name))
      throw new UsageError(`--param ${name} is given twice ("${params[name]}" and "${pair.slice(eq + 1)}"): give each param once`);
    params[name] = pair.slice(eq + 1);
  }
  return params;
}
