// One error hierarchy for the whole engine. `cli.ts` maps `exitCode` to the process
// exit code and prints `message` (never a stack) for every `RunbookError` whose
// `userFacing` is true; anything else is a bug and is reported as such.

/** Exit codes, documented in README and `--help`. */
export const ExitCode = {
  ok: 0,
  runFailed: 1,
  invalidInput: 2,
  preflightFailed: 3,
  connection: 4,
  locked: 5,
  internal: 70,
  sighup: 129,
  sigint: 130,
  sigterm: 143,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class RunbookError extends Error {
  override name = 'RunbookError';
  readonly exitCode: number = ExitCode.internal;
  /** User errors print their message only; bugs print "please report". */
  readonly userFacing: boolean = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Bad command-line arguments. */
export class UsageError extends RunbookError {
  override name = 'UsageError';
  override readonly exitCode = ExitCode.invalidInput;
}

/** A position in a source file, 1-based. */
export interface SourcePosition {
  file: string;
  line: number;
  col: number;
}

/** One problem found in a playbook (or inventory) file. */
export interface Diagnostic extends SourcePosition {
  severity: 'error' | 'warning';
  /** Stable machine code, e.g. `schema/additionalProperties`, `rule/unique-step-ids`. */
  code: string;
  message: string;
  /** The offending source line, for the caret display. */
  sourceLine?: string;
  /** Length of the highlighted span on that line (default 1). */
  span?: number;
}

/** A playbook that failed to load or validate; carries every diagnostic at once. */
export class PlaybookError extends RunbookError {
  override name = 'PlaybookError';
  override readonly exitCode = ExitCode.invalidInput;
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    const first = diagnostics.find((d) => d.severity === 'error') ?? diagnostics[0];
    super(
      first
        ? `${first.file}:${first.line}:${first.col}: ${first.message}` +
            (diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : '')
        : 'invalid playbook',
    );
    this.diagnostics = diagnostics;
  }
}

/** `plan` found a check that fails or a name that does not resolve. */
export class PreflightError extends RunbookError {
  override name = 'PreflightError';
  override readonly exitCode = ExitCode.preflightFailed;
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`preflight failed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

/** Another run of the same playbook holds the lock. */
export class LockedError extends RunbookError {
  override name = 'LockedError';
  override readonly exitCode = ExitCode.locked;
}

export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

/** 128 + the signal number, as shells report a process a signal ended. */
export function signalExitCode(signal: StopSignal): number {
  return signal === 'SIGINT' ? ExitCode.sigint : signal === 'SIGHUP' ? ExitCode.sighup : ExitCode.sigterm;
}

/** The run was stopped by SIGINT (130), SIGTERM (143) or SIGHUP (129: the terminal went away). */
export class InterruptedError extends RunbookError {
  override name = 'InterruptedError';
  override readonly exitCode: number;
  readonly signal: StopSignal;
  constructor(signal: StopSignal) {
    super(`interrupted by ${signal}`);
    this.signal = signal;
    this.exitCode = signalExitCode(signal);
  }
}

/** A bug: something the engine believed impossible. */
export class InternalError extends RunbookError {
  override name = 'InternalError';
  override readonly userFacing = false;
}

// ---------------------------------------------------------------------------
// Enterprise Manager errors: every one says method, path, status and EM's message.

export interface EmErrorContext {
  method: string;
  /** Path relative to the API root, with query, e.g. `/cdpReplicas/…/vms/…?action=failover`. */
  path: string;
  status?: number;
  statusText?: string;
  /** EM's `Error/@Message` (or JSON `Message`) when the body carried one. */
  emMessage?: string;
  /** What was being acted on, e.g. `VM "erp-db01"`: named in outcome-unknown errors. */
  subject?: string;
  /** How many retries were spent before giving up. */
  retries?: number;
  /** `em01:9398`: named when EM could not be reached, so the operator sees where it tried. */
  host?: string;
}

function describe(ctx: EmErrorContext, what: string): string {
  const status = ctx.status !== undefined ? ` → ${ctx.status}${ctx.statusText ? ` ${ctx.statusText}` : ''}` : '';
  const em = ctx.emMessage ? ` ("${ctx.emMessage}")` : '';
  const retried = ctx.retries ? `, retried ${ctx.retries} time${ctx.retries === 1 ? '' : 's'}` : '';
  const subject = ctx.subject ? `${ctx.subject}: ` : '';
  const on = ctx.host ? ` on ${ctx.host}` : '';
  return `${subject}${ctx.method} ${ctx.path}${on}${status}${em}${what ? `: ${what}` : ''}${retried}`;
}

export class EmError extends RunbookError {
  override name = 'EmError';
  override readonly exitCode: number = ExitCode.runFailed;
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  readonly emMessage: string | undefined;
  readonly subject: string | undefined;
  constructor(ctx: EmErrorContext, what = '', options?: { cause?: unknown }) {
    super(describe(ctx, what), options);
    this.method = ctx.method;
    this.path = ctx.path;
    this.status = ctx.status;
    this.emMessage = ctx.emMessage;
    this.subject = ctx.subject;
  }
}

/** EM answered with a non-success status. */
export class EmHttpError extends EmError {
  override name = 'EmHttpError';
}

/** The request never got an answer: refused, reset, DNS, TLS. */
export class EmNetworkError extends EmError {
  override name = 'EmNetworkError';
  override readonly exitCode = ExitCode.connection;
  /** `ECONNREFUSED`, `ECONNRESET`, `UNABLE_TO_VERIFY_LEAF_SIGNATURE`, … */
  readonly code: string | undefined;
  constructor(ctx: EmErrorContext, code: string | undefined, options?: { cause?: unknown }) {
    super(ctx, code ? `network error ${code}` : 'network error', options);
    this.code = code;
  }
}

/** No answer within the request timeout. No answer at all (no status) cannot reach EM: exit 4. */
export class EmTimeoutError extends EmError {
  override name = 'EmTimeoutError';
  override readonly exitCode: number;
  constructor(ctx: EmErrorContext, what = '', options?: { cause?: unknown }) {
    super(ctx, what, options);
    this.exitCode = ctx.status === undefined ? ExitCode.connection : ExitCode.runFailed;
  }
}

/** Logon refused (bad credentials or no EM role). Never retried in a loop. */
export class EmAuthError extends EmError {
  override name = 'EmAuthError';
  override readonly exitCode = ExitCode.connection;
}

/**
 * A mutating request (failover, plan start/undo) was sent but we cannot know whether EM
 * processed it: a timeout or reset after sending. It must never be re-sent blindly.
 */
export class OutcomeUnknownError extends EmError {
  override name = 'OutcomeUnknownError';
}

/** EM answered, but the body could not be understood (malformed XML/JSON, wrong shape). */
export class EmMalformedResponseError extends EmError {
  override name = 'EmMalformedResponseError';
}

/** Message for any thrown value, without a stack. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
