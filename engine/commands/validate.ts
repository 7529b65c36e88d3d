// `runbook validate <file|dir…>`: offline playbook checks for pull requests. Prints every
// problem compiler-style (or as JSON), plus GitHub annotations under GitHub Actions.
// The pipeline (yaml, the generated validator) is imported only once arguments are valid.

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ExitCode, UsageError, type Diagnostic } from '../errors.js';
import { defineCommand, parseOptions, renderHelp } from './options.js';
import type { Command, CommandIO } from '../io.js';

export const VALIDATE = defineCommand({
  name: 'validate',
  usage: '[options] <file|directory>...',
  about: `Checks playbooks offline (no connection to Enterprise Manager): YAML syntax, the JSON Schema
(schemas/playbook.schema.json), and rules such as unique step ids, conditions that refer to
earlier steps, defined params and no literal secrets. Every problem of every file is reported
at once as file:line:col. A directory means every *.yaml and *.yml file inside it.`,
  options: {
    format: {
      type: 'string',
      arg: 'text|json',
      default: 'text',
      description: 'text: compiler-style lines; json: [{file, valid, diagnostics}]',
    },
  },
  notes: `Under GitHub Actions (GITHUB_ACTIONS=true) each problem is also printed as an
::error/::warning annotation so it shows on the pull request.

Exit codes: 0 every file is valid (warnings allowed), 2 a file is invalid or unreadable.`,
});

export interface FileResult {
  file: string;
  valid: boolean;
  diagnostics: Diagnostic[];
}

export const validateCommand: Command = async (argv, io) => {
  const { values, positionals } = parseOptions(VALIDATE, argv);
  if (values.help) {
    io.stdout.write(renderHelp(VALIDATE));
    return ExitCode.ok;
  }
  const format = values.format;
  if (format !== 'text' && format !== 'json') throw new UsageError(`runbook validate: --format must be text or json, not "${format}"`);
  if (positionals.length === 0)
    throw new UsageError("runbook validate: name at least one playbook file or directory\nRun 'runbook validate --help' for usage.");

  const { validateFile } = await import('../playbook/validate.js');
  const results: FileResult[] = [];
  for (const target of positionals) {
    const expanded = await expand(target, io);
    if (expanded.kind === 'empty') {
      results.push({
        file: target,
        valid: false,
        diagnostics: [
          {
            file: target,
            line: 1,
            col: 1,
            severity: 'error',
            code: 'load/no-playbooks',
            message: `${target} is a directory with no .yaml or .yml files in it`,
          },
        ],
      });
      continue;
    }
    // Reads overlap (parsing is synchronous anyway); results keep the argument order.
    const batch = 16;
    for (let i = 0; i < expanded.files.length; i += batch) {
      const files = expanded.files.slice(i, i + batch);
      const checked = await Promise.all(files.map((file) => validateFile(resolveFrom(io.cwd, file))));
      checked.forEach((r, j) => {
        const file = files[j]!;
        results.push({ file, valid: r.errors.length === 0, diagnostics: r.diagnostics.map((d) => ({ ...d, file })) });
      });
    }
  }

  const github = io.env.GITHUB_ACTIONS === 'true';
  if (format === 'json') {
    io.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    if (github) io.stderr.write(annotations(results));
  } else {
    io.stdout.write(renderText(results, io.stdout.isTTY));
    if (github) io.stdout.write(annotations(results));
  }
  return results.every((r) => r.valid) ? ExitCode.ok : ExitCode.invalidInput;
};

/** Compiler-style lines, with the source line and a caret on a terminal, then a summary. */
export function renderText(results: FileResult[], tty: boolean): string {
  let out = '';
  let errors = 0;
  let warnings = 0;
  for (const r of results) {
    for (const d of r.diagnostics) {
      if (d.severity === 'error') errors++;
      else warnings++;
      out += `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}\n`;
      if (tty && d.sourceLine !== undefined) {
        out += `  ${d.sourceLine}\n  ${' '.repeat(Math.max(0, d.col - 1))}${'^'.repeat(Math.max(1, d.span ?? 1))}\n`;
      }
    }
  }
  const invalid = results.filter((r) => !r.valid).length;
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  out +=
    `${count(results.length, 'playbook')} checked: ${results.length - invalid} valid, ` +
    `${invalid} invalid (${count(errors, 'error')}, ${count(warnings, 'warning')})\n`;
  return out;
}

/** GitHub workflow commands; values escaped as the runner expects. */
export function annotations(results: FileResult[]): string {
  const data = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const prop = (s: string) => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  let out = '';
  for (const r of results) {
    for (const d of r.diagnostics) {
      out += `::${d.severity} file=${prop(d.file)},line=${d.line},col=${d.col},title=${prop(d.code)}::${data(d.message)}\n`;
    }
  }
  return out;
}

/** A directory becomes its *.yaml/*.yml files (recursively, sorted); anything else is checked as a file. */
async function expand(target: string, io: CommandIO): Promise<{ kind: 'files'; files: string[] } | { kind: 'empty' }> {
  const absolute = resolveFrom(io.cwd, target);
  let isDir = false;
  try {
    isDir = (await stat(absolute)).isDirectory();
  } catch {
    // Missing or unreadable: validateFile reports it with the right message.
  }
  if (!isDir) return { kind: 'files', files: [target] };
  const files: string[] = [];
  const walk = async (rel: string) => {
    const entries = await readdir(resolveFrom(io.cwd, rel), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const child = join(rel, e.name);
      if (e.isDirectory()) await walk(child);
      else if (/\.ya?ml$/i.test(e.name)) files.push(child);
    }
  };
  await walk(target);
  return files.length > 0 ? { kind: 'files', files } : { kind: 'empty' };
}

function resolveFrom(cwd: string, path: string): string {
  return path.startsWith('/') ? path : join(cwd, path);
}
