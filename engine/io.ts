// What a command may touch of the outside world. `cli.ts` builds the real one from the
// process; tests build one with string buffers, a fixed env and their own AbortSignal.

export interface Output {
  /** Writes text; cli.ts escapes control characters in it (see terminal-safe.ts). */
  write(text: string): void;
  /**
   * Writes as is: only for the listr2 renderer, whose own escapes draw the view (the
   * progress view escapes the text it puts in). Absent: `write` is used.
   */
  writeRaw?(text: string): void;
  /** True when this is a terminal (colours, carets, the listr2 default renderer). */
  isTTY: boolean;
}

export interface CommandIO {
  stdout: Output;
  stderr: Output;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Aborted by cli.ts on SIGINT/SIGTERM; `signal.reason` is an InterruptedError. */
  signal: AbortSignal;
  /**
   * Registers a synchronous hook that cli.ts runs before it exits at once on a second
   * SIGINT/SIGTERM (e.g. to journal that the run was cut short). Absent in tests.
   */
  onForcedExit?: (hook: () => void) => void;
  /** Reads one line from a terminal (confirmation prompts); undefined when stdin is not a TTY. */
  prompt?: (question: string) => Promise<string>;
}

/** A command: parse its own argv, do its work, return the exit code. Throws RunbookError for user errors. */
export type Command = (argv: string[], io: CommandIO) => Promise<number>;
