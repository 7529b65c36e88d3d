// GET /api/, POST /sessionMngr/, /logonSessions (API spec §2, §11 #1-#3).

import { HttpError, respond, type Ctx } from './context.js';
import { enterpriseManager, logonSession, logonSessions, VERSIONS } from './reps-core.js';
import { TOKEN_HEADER } from './sessions.js';
import type { Route, World } from './world.js';
import type { Reply, SimRequest } from './reply.js';

const REALM = { 'WWW-Authenticate': 'Basic Realm=RestSvc' };

function basicCredentials(request: SimRequest): { user: string; password: string } | undefined {
  const header = request.headers.get('authorization');
  const m = header ? /^Basic\s+(\S+)$/i.exec(header) : null;
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

async function logon(w: World, ctx: Ctx): Promise<Reply> {
  const v = ctx.params.get('v') ?? 'latest';
  if (v !== 'latest' && !(VERSIONS as readonly string[]).includes(v)) {
    throw new HttpError(400, `Unsupported API version "${v}". Supported: latest, ${VERSIONS.join(', ')}.`);
  }
  // Tenant LoginSpec bodies (§2.4) are not simulated; the body is drained, never logged (it holds a password).
  await ctx.request.text();
  const creds = basicCredentials(ctx.request);
  const user = creds ? w.model.users.get(creds.user.toLowerCase()) : undefined;
  if (!creds || !user || user.password !== creds.password) {
    throw new HttpError(
      401,
      'Authentication failed: the user name or password is incorrect, or the account has no Enterprise Manager role.',
      REALM,
    );
  }
  const session = w.sessions.create(user, ctx.now);
  ctx.session = session;
  return respond(ctx, 201, logonSession(ctx.api, session), {
    [TOKEN_HEADER]: session.token,
    'Set-Cookie': `${TOKEN_HEADER}=${session.token}; Path=/api;`,
    Location: `${ctx.api}/logonSessions/${session.id}`,
  });
}

export function sessionRoutes(w: World): Route[] {
  return [
    { pattern: /^\/?$/, auth: false, methods: { GET: (ctx) => respond(ctx, 200, enterpriseManager(ctx.api)) } },
    { pattern: /^\/sessionMngr\/?$/, auth: false, methods: { POST: (ctx) => logon(w, ctx) } },
    {
      pattern: /^\/logonSessions\/?$/,
      auth: true,
      // Only the caller's own session: other users' tokens are none of its business.
      methods: { GET: (ctx) => respond(ctx, 200, logonSessions(ctx.api, ctx.session ? [ctx.session] : [])) },
    },
    {
      pattern: /^\/logonSessions\/([^/]+)$/,
      auth: true,
      methods: {
        GET: (ctx, [id]) => {
          const s = ctx.session;
          if (!s || s.id !== id?.toLowerCase()) throw new HttpError(404, `Cannot find logon session [${id}]`);
          return respond(ctx, 200, logonSession(ctx.api, s));
        },
        DELETE: (ctx, [id]) => {
          const s = ctx.session;
          if (!s || s.id !== id?.toLowerCase()) throw new HttpError(404, `Cannot find logon session [${id}]`);
          w.sessions.end(s);
          return respond(ctx, 204);
        },
      },
    },
  ];
}
