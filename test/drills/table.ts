// The fault × invariant table the drill suites print (and write under the OS tmp dir, so
// CI can keep it as an artifact): one row per drill, one cell per invariant.

import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Row {
  fault: string;
  cells: Record<string, string>;
  note?: string;
}

export function renderTable(title: string, columns: string[], rows: Row[], legend: Record<string, string> = {}): string {
  const header = ['fault', ...columns, 'note'];
  const body = rows.map((r) => [r.fault, ...columns.map((c) => r.cells[c] ?? '-'), r.note ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const legendText = Object.entries(legend)
    .map(([k, v]) => `  ${k}: ${v}`)
    .join('\n');
  return `${title}\n${legendText ? `${legendText}\n` : ''}${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n${body.map(line).join('\n')}\n`;
}

/** Prints the table and writes it to `<tmp>/<name>.txt`; returns the file path. */
export function publishTable(name: string, text: string): string {
  const file = join(tmpdir(), `${name}.txt`);
  writeFileSync(file, text);
  process.stdout.write(`\n${text}(written to ${file})\n`);
  return file;
}
