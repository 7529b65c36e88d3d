// EM's API root is `https://<host>:9398/api/` (spec §1). Users write the URL every way:
// with or without `/api`, with or without a trailing slash. Normalise once, here.

import { UsageError } from '../errors.js';

/** The API root with a trailing slash, e.g. `https://em:9398/api/` (ky's prefixUrl). */
export function normalizeBaseUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    // The URL constructor's message adds nothing; say what we expected instead.
    throw new UsageError(`invalid Enterprise Manager URL "${input}": expected e.g. https://em01:9398`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`invalid Enterprise Manager URL "${input}": only https:// (or http://) is supported`);
  }
  if (url.username || url.password) {
    // Credentials belong in the username/password options, never in a URL that may be printed.
    throw new UsageError('the Enterprise Manager URL must not contain credentials');
  }
  if (url.search || url.hash) {
    throw new UsageError(`invalid Enterprise Manager URL "${input}": no query or fragment expected`);
  }
  let path = url.pathname.replace(/\/+$/, '');
  if (!/\/api$/i.test(path)) path += '/api';
  return `${url.origin}${path}/`;
}

/**
 * The API-relative path (`/restoreSessions/…?format=Entity`) of an href EM returned.
 * EM's hrefs name the host as EM sees itself (often `localhost`), so we keep only the
 * part after `/api` and send it to the configured base.
 */
export function relativePath(href: string): string {
  let pathAndQuery: string;
  if (/^https?:\/\//i.test(href)) {
    const url = new URL(href);
    pathAndQuery = url.pathname + url.search;
  } else {
    pathAndQuery = href.startsWith('/') ? href : `/${href}`;
  }
  const at = pathAndQuery.search(/\/api(\/|\?|$)/i);
  const rest = at >= 0 ? pathAndQuery.slice(at + 4) : pathAndQuery;
  return rest.startsWith('/') ? rest : `/${rest}`;
}
