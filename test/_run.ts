// Runs every uvu suite (test/**/*.test.ts) in one process and prints the plain closing
// line CI reads: `N passed, N failed`. Guards uvu's traps: a suite that forgets `.run()`
// or a run with no tests exits 0 in uvu itself; here both fail.
import { parse } from 'uvu/parse';
import { run } from 'uvu/run';

const dir = 'test';
const filter = process.argv[2] ? new RegExp(process.argv[2]) : undefined;
const pattern = /\.test\.ts$/;

let captured = '';
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  captured += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
  return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
}) as typeof process.stdout.write;

let crashed = false;
let forgotten = 0;
try {
  const { suites } = await parse(dir, pattern);
  const chosen = filter ? suites.filter((s) => filter.test(s.name)) : suites;
  if (chosen.length === 0) throw new Error(`no test files matched in ${dir}/`);
  await run(chosen, { bail: false });
  // uvu/run queues [fileName, ...suiteRunners] per file and exec shifts the name off:
  // an entry left empty is a file that never called test.run().
  const queue = (globalThis as { UVU_QUEUE?: unknown[][] }).UVU_QUEUE ?? [];
  const silent = chosen.filter((_, i) => queue[i]?.length === 0).map((s) => s.name);
  if (silent.length > 0) {
    forgotten = silent.length;
    process.stderr.write(`these test files never called test.run(): ${silent.join(', ')}\n`);
  }
} catch (error) {
  crashed = true;
  process.stderr.write(`test run crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
} finally {
  process.stdout.write = write;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: strips the ANSI colour codes (ESC [ ... m) around uvu's totals
const plain = captured.replace(/\x1b\[[0-9;]*m/g, '');
const num = (label: string) => Number(plain.match(new RegExp(`${label}:\\s+(\\d+)`))?.[1] ?? 0);
const total = num('Total');
const passed = num('Passed');
const skipped = num('Skipped');
const failed = total - passed + (crashed ? 1 : 0) + forgotten;
if (total === 0 && !crashed) process.stderr.write('no test ran: a suite may have forgotten test.run()\n');
process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exitCode = failed > 0 || total === 0 || process.exitCode ? 1 : 0;
