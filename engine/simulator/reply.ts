// What the simulator's handler reads and answers, as plain data. A fetch Request already is a
// SimRequest; the server hands it a lighter object built from node:http's own (no web
// streams, no AbortSignal unless a fault waits on one), and writes a Reply as it stands.
// In-process callers (tests, `--simulate`) get a real fetch Response from `toResponse`.

export interface SimRequest {
  readonly method: string;
  /** Absolute URL. */
  readonly url: string;
  readonly headers: { get(name: string): string | null };
  /** Aborted when the client goes away (a "hang" fault ends with the connection). */
  readonly signal: AbortSignal;
  text(): Promise<string>;
}

export interface Reply {
  status: number;
  /** Names as EM spells them (`X-RestSvcSessionId`, `Content-Type`, …). */
  headers: Record<string, string>;
  /** Absent: no body (204, or an error the handler chose to send empty). */
  body?: string;
}

export function toResponse(reply: Reply): Response {
  return new Response(reply.body ?? null, { status: reply.status, headers: reply.headers });
}
