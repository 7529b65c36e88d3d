// A tiny scripted stand-in for EM, for transport behaviours the simulator does not model
// (refused connections, resets, hanging requests, Retry-After sequences). Everything it
// receives is recorded. Integration behaviour is tested against the simulator instead.
import { inspect } from 'node:util';

export const TOKEN = 'dG9rZW4tb25lLXNlY3JldA==';
export const PASSWORD = 'pa55-w0rd!';
export const SESSION_ID = '0f1e2d3c-0000-4000-8000-000000000001';

export interface Seen {
  url: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export type Reply = Response | Error | 'hang';
export type Responder = (req: Seen, n: number) => Reply | Promise<Reply>;

export const xmlError = (status: number, message: string) =>
  new Response(
    `<?xml version="1.0" encoding="utf-8"?><Error xmlns="http://www.veeam.com/ent/v1.0" Message="${message}" StatusCode="${status}" />`,
    { status, headers: { 'Content-Type': 'application/xml' } },
  );

export const jsonError = (status: number, message: string) =>
  new Response(
    JSON.stringify({ FirstChanceExceptionMessage: null, Message: message, StackTrace: null, Status: null, StatusCode: status }),
    {
      status,
      headers: { 'Content-Type': 'application/json' },
    },
  );

export const taskXml = (id: string, state = 'Running') =>
  `<Task xmlns="http://www.veeam.com/ent/v1.0" Type="Task" Href="https://em:9398/api/tasks/${id}"><Links><Link Rel="Delete" Type="Task" Href="https://em:9398/api/tasks/${id}" /></Links><TaskId>${id}</TaskId><State>${state}</State><Operation>StartFailover</Operation></Task>`;

export const xml = (body: string, status = 200, headers: Record<string, string> = {}) =>
  new Response(body, { status, headers: { 'Content-Type': 'application/xml', ...headers } });

/** A network failure as undici reports it: TypeError('fetch failed') with a coded cause. */
export const netError = (code: string) =>
  Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(`connect ${code}`), { code }) });

export const logonOk = (token = TOKEN, sessionId = SESSION_ID) =>
  new Response(
    `<LogonSession xmlns="http://www.veeam.com/ent/v1.0" Type="LogonSession" Href="https://em:9398/api/logonSessions/${sessionId}"><Links><Link Rel="Delete" Href="https://em:9398/api/logonSessions/${sessionId}" /></Links><UserName>EM\\dr</UserName><SessionId>${sessionId}</SessionId></LogonSession>`,
    {
      status: 201,
      headers: {
        'x-restsvcsessionid': token,
        'Set-Cookie': `X-RestSvcSessionId=${token}; Path=/api;`,
        Location: `https://em:9398/api/logonSessions/${sessionId}`,
        'Content-Type': 'application/xml',
      },
    },
  );

/**
 * A fetch that answers logon itself (unless `logon` is given) and every other request
 * from `responder`. `seen` records all requests, `calls` the non-logon ones.
 */
export function fakeEm(responder: Responder, logon: Responder = () => logonOk()) {
  const seen: Seen[] = [];
  const calls: Seen[] = [];
  let logons = 0;
  const fetchImpl = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const headers: Record<string, string> = {};
    request.headers.forEach((v, k) => {
      headers[k] = v;
    });
    const s: Seen = { url: request.url, method: request.method, path: url.pathname + url.search, headers, body: await request.text() };
    seen.push(s);
    const isLogon = url.pathname.endsWith('/sessionMngr/');
    const reply = isLogon ? await logon(s, ++logons) : await responder(s, calls.push(s));
    if (reply === 'hang') {
      return new Promise<Response>((_, reject) => {
        const signal = request.signal;
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    }
    if (reply instanceof Error) throw reply;
    return reply;
  };
  return { fetch: fetchImpl as typeof fetch, seen, calls, logons: () => logons };
}

/** Everything tests observed (events, errors); checked for secrets at the end of a suite. */
export function secretAudit() {
  const observed: unknown[] = [];
  return {
    observed,
    record<T>(value: T): T {
      observed.push(value);
      return value;
    },
    /** Serialises every observation and returns the secrets that leaked (none expected). */
    leaks(secrets: string[]): string[] {
      const dump = observed.map((o) => `${safeJson(o)}\n${inspect(o, { depth: 12, showHidden: true })}`).join('\n');
      return [...secrets, 'Basic '].filter((s) => dump.includes(s));
    },
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v) => (v instanceof Error ? { ...v, message: v.message, cause: v.cause } : v));
  } catch {
    // Cyclic values still go through inspect above; JSON is only a second view.
    return '';
  }
}
