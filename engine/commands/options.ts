// Each command declares its options once (name, type, default, description); parsing and
// `--help` are both made from that table, so the help cannot drift from what is accepted.

import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** The value's placeholder in the help: `--server URL`. */
  arg?: string;
  /** Applied when the flag is absent, and shown as "(default X)". */
  default?: string;
  description: string;
}

export type OptionTable = Record<string, OptionSpec>;

export interface CommandSpec<O extends OptionTable> {
  name: string;
  /** After `runbook NAME `, e.g. `<playbook> [options]`. */
  usage: string;
  /** What the command does: the paragraphs before the options. */
  about: string;
  options: O;
  /** Paragraphs after the options (credentials, exit codes). */
  notes?: string;
}

/** Every command has it; declared here once. */
const HELP_OPTION: OptionTable = { help: { type: 'boolean', short: 'h', description: 'this help' } };

type ValueOf<S extends OptionSpec> = S extends { type: 'boolean' } ? boolean : S extends { multiple: true } ? string[] : string;

export type OptionValues<O extends OptionTable> = {
  [K in keyof O]: O[K] extends { default: string } ? ValueOf<O[K]> : ValueOf<O[K]> | undefined;
} & {
  help?: boolean | undefined;
};

export function defineCommand<const O extends OptionTable>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}

/** argv into typed values and positionals; a bad flag is one line naming it and `--help` (exit 2). */
export function parseOptions<O extends OptionTable>(
  spec: CommandSpec<O>,
  argv: string[],
): { values: OptionValues<O>; positionals: string[] } {
  const table: OptionTable = { ...spec.options, ...HELP_OPTION };
  const options = Object.fromEntries(
    Object.entries(table).map(([name, o]) => [
      name,
      {
        type: o.type,
        ...(o.short !== undefined ? { short: o.short } : {}),
        ...(o.multiple ? { multiple: true } : {}),
        ...(o.default !== undefined ? { default: o.default } : {}),
      },
    ]),
  );
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values as OptionValues<O>, positionals };
  } catch (error) {
    throw new UsageError(`${argumentProblem(error)} (see 'runbook ${spec.name} --help')`);
  }
}

/** node:util's parseArgs messages, said in one short line. */
function argumentProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // "Option '-y, --yes' does not take…", "Unknown option '-x'": the long name when there is one.
  const quoted = /'(-[^']*)'/.exec(message)?.[1] ?? '';
  const flag = /--[\w-]+/.exec(quoted)?.[0] ?? quoted.split(' ')[0] ?? '';
  const code = (error as { code?: string }).code;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${flag}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (message.includes('does not take an argument')) return `${flag} takes no value`;
    return `${flag} needs a value`;
  }
  return message.split('\n')[0] ?? message;
}

const WIDTH = 92;

/** The `--help` text, made from the table. */
export function renderHelp<O extends OptionTable>(spec: CommandSpec<O>): string {
  const rows = Object.entries<OptionSpec>({ ...spec.options, ...HELP_OPTION }).map(([name, o]) => {
    const flag = `${o.short !== undefined ? `-${o.short}, ` : ''}--${name}${o.arg !== undefined ? ` ${o.arg}` : ''}`;
    const text = `${o.description}${o.multiple ? ' (repeatable)' : ''}${o.default !== undefined ? ` (default ${o.default})` : ''}`;
    return { flag, text };
  });
  const column = Math.max(...rows.map((r) => r.flag.length)) + 4;
  const options = rows.map((r) => `  ${r.flag.padEnd(column - 2)}${wrap(r.text, WIDTH - column).join(`\n${' '.repeat(column)}`)}`);
  const parts = [`Usage: runbook ${spec.name} ${spec.usage}`, spec.about.trim(), `Options:\n${options.join('\n')}`];
  if (spec.notes !== undefined) parts.push(spec.notes.trim());
  return `${parts.join('\n\n')}\n`;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}
