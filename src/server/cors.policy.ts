import type { IncomingMessage, ServerResponse } from 'node:http';
import { appendVary } from './vary.header';

export const CORS_ALLOW_METHODS = 'GET, POST, OPTIONS';
export const CORS_ALLOW_HEADERS = 'authorization, content-type, idempotency-key, x-request-id, apollo-require-preflight';
export const CORS_MAX_AGE_SECONDS = 600;
export const CORS_EXPOSE_HEADERS = 'x-request-id, retry-after';

/**
 * Exact-origin CORS for browser frontends. Callers authenticate with bearer
 * tokens, not cookies, so no Allow-Credentials; an unlisted origin gets no
 * CORS header at all and the browser keeps the response from its page.
 *
 * Returns true when it answered the request itself (a preflight).
 */
export function createCorsPolicy(origins: readonly string[]): (req: IncomingMessage, res: ServerResponse) => boolean {
  const allowed = new Set(origins);
  return (req, res) => {
    const origin = req.headers.origin;
    const preflight = req.method === 'OPTIONS' && typeof origin === 'string' && req.headers['access-control-request-method'] !== undefined;
    // No origin listed: every preflight is refused alike, 204 without a CORS header (not the 405 of an OPTIONS).
    if (allowed.size === 0 && !preflight) return false;
    // Any response may differ by Origin, so shared caches must key on it.
    if (allowed.size > 0) appendVary(res, 'Origin');
    const listed = typeof origin === 'string' && allowed.has(origin);
    if (preflight) {
      if (listed) {
        res.setHeader('access-control-allow-origin', origin);
        res.setHeader('access-control-allow-methods', CORS_ALLOW_METHODS);
        res.setHeader('access-control-allow-headers', CORS_ALLOW_HEADERS);
        res.setHeader('access-control-max-age', String(CORS_MAX_AGE_SECONDS));
      }
      res.statusCode = 204;
      res.end();
      return true;
    }
    if (listed) {
      res.setHeader('access-control-allow-origin', origin);
      // Retry-After: a 503 (JWKS outage, Redis away) or a 429 says when to try again, and a page must read it.
      res.setHeader('access-control-expose-headers', CORS_EXPOSE_HEADERS);
    }
    return false;
  };
}
