import type { IncomingMessage, Server, ServerOptions } from 'node:http';
import { ErrorCode } from '../errors/error-code.enum';
import { ServiceUnavailableError, UnauthenticatedError } from '../errors/gateway.error';
import { REFUSAL_LINGER_MS } from './client-error.handler';
import { HttpError } from './http.error';
import { isLoopbackHostName } from './loopback.host';

/** Options for node:http's createServer: slow clients are cut off (docs/security.md). */
export function serverOptions(limits: { readonly headersTimeoutMs: number; readonly requestTimeoutMs: number }): ServerOptions {
  const { headersTimeoutMs, requestTimeoutMs } = limits;
  return {
    headersTimeout: headersTimeoutMs,
    requestTimeout: requestTimeoutMs,
    // Node enforces both timeouts on this interval (30 s by default), which would stretch a 1 s timeout to 30.
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeoutMs / 4))),
  };
}

export function applyConnectionLimits(server: Server, limits: { readonly maxConnections: number; readonly idleSocketTimeoutMs: number }): void {
  // Connections over the cap are closed as they arrive: an idle or slow client cannot make the gateway hold unbounded sockets.
  server.maxConnections = limits.maxConnections;
  server.keepAliveTimeout = 5_000;
  // The header and request timeouts cover a request still arriving, the keep-alive timeout an idle connection after
  // an answer; nothing covered an answer the peer never reads (pipelined requests for large answers, then silence),
  // which held a connection slot for as long as the peer liked. No traffic either way for this long closes it.
  server.timeout = limits.idleSocketTimeoutMs;
}

/**
 * How long a connection may see no traffic at all. A request in progress sends nothing until it answers, so this
 * must outlast the longest one: authentication (a JWT may wait for its key set), then a create, which ends within
 * its lease (the start-up check makes the lease cover its provider calls and the Redis round trips before them)
 * and records its outcome (one more Redis command). And a request still arriving must meet its own deadline, and
 * its 408, first.
 */
export function idleSocketTimeoutMs(o: {
  readonly leaseSeconds: number;
  readonly redisCommandTimeoutMs: number | undefined;
  /** The longest authentication may wait on I/O (0 without a JWT key set to fetch). */
  readonly authWaitMs: number;
  readonly requestTimeoutMs: number;
}): number {
  const longestCreate = o.authWaitMs + o.leaseSeconds * 1000 + 2 * (o.redisCommandTimeoutMs ?? 0) + 1000;
  return Math.max(longestCreate, o.requestTimeoutMs + REFUSAL_LINGER_MS + 1000);
}

/**
 * Without authentication the gateway is safe only if nothing but this
 * machine can drive it. Listening on loopback is not enough: a web page can
 * point its own domain at 127.0.0.1 (DNS rebinding) and its requests then
 * carry that domain in Host. So Host must name loopback, and so must Origin
 * when a browser sends one, unless the operator listed that origin for CORS
 * (`server.cors.origins`): a deliberate choice, not a rebinding.
 */
export function checkLoopbackOnly(req: IncomingMessage, authEnabled: boolean, listedOrigins: ReadonlySet<string> = new Set()): void {
  if (authEnabled) return;
  const host = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::\d{1,5})?$/.exec(req.headers.host ?? '');
  if (!host || !isLoopbackHostName(host[1])) {
    throw new HttpError(
      ErrorCode.MISDIRECTED_REQUEST,
      'This gateway runs without authentication and answers only requests addressed to a loopback host (127.0.0.1, localhost, [::1]).',
      {},
      true,
    );
  }
  const origin = req.headers.origin;
  if (origin === undefined || listedOrigins.has(origin)) return;
  let hostname: string | undefined;
  try {
    hostname = new URL(origin).hostname;
  } catch {
    hostname = undefined;
  }
  if (!hostname || !isLoopbackHostName(hostname)) {
    throw new HttpError(
      ErrorCode.FORBIDDEN,
      'This gateway runs without authentication and accepts browser requests only from a loopback origin or one listed in server.cors.origins.',
      {},
      true,
    );
  }
}

/** Credentials come from headers only, so a refused client is answered before one byte of its body is read. */
export async function authenticateFromHeaders<C>(req: IncomingMessage, authenticate: (authorization: string | undefined) => Promise<C>): Promise<C> {
  const authorization = req.headersDistinct.authorization;
  if (authorization && authorization.length > 1) throw unauthenticated(new UnauthenticatedError('Send one Authorization header.', true));
  try {
    return await authenticate(authorization?.[0]);
  } catch (err) {
    if (err instanceof UnauthenticatedError) throw unauthenticated(err);
    // The token could not be checked (the identity provider's key set is unreachable): no verdict on it.
    if (err instanceof ServiceUnavailableError) {
      const after = err.extensions.retryAfterSeconds;
      // The hint in the body too: a page on another origin reads a header only when CORS exposes it.
      if (typeof after !== 'number') throw new HttpError(ErrorCode.SERVICE_UNAVAILABLE, err.message);
      throw new HttpError(ErrorCode.SERVICE_UNAVAILABLE, err.message, { 'retry-after': String(after) }, false, { retryAfterSeconds: after });
    }
    throw err;
  }
}

/** What a refusal of authenticateFromHeaders was (for the metrics); undefined for any other error. */
export function authRefusalReason(err: unknown): 'missing' | 'invalid' | 'unverifiable' | undefined {
  if (!(err instanceof HttpError)) return undefined;
  if (err.code === ErrorCode.SERVICE_UNAVAILABLE) return 'unverifiable';
  if (err.code !== ErrorCode.UNAUTHENTICATED) return undefined;
  return err.headers['www-authenticate']?.includes('error=') ? 'invalid' : 'missing';
}

function unauthenticated(err: UnauthenticatedError): HttpError {
  // RFC 6750 §3: say which scheme is expected, and whether the token sent was the problem.
  const challenge = err.tokenPresented ? 'Bearer realm="identity-gateway", error="invalid_token"' : 'Bearer realm="identity-gateway"';
  return new HttpError(ErrorCode.UNAUTHENTICATED, err.message, { 'www-authenticate': challenge }, true);
}

/**
 * Checks a parsed JSON body before GraphQL sees it: batches are refused
 * (one operation per request, so every limit holds per request), and no
 * list in the variables may exceed `listItems`. GraphQL would otherwise
 * coerce a 260,000-item list in full before any rule could object.
 */
export function checkBodyShape(body: unknown, limits: { readonly listItems: number }): void {
  if (Array.isArray(body)) {
    throw new HttpError(ErrorCode.BAD_REQUEST, 'Batched operations are not accepted: send one GraphQL operation per request.');
  }
  const variables = (body as { variables?: unknown } | null)?.variables;
  const problem = findOversize(variables, limits.listItems, 'variables', 0);
  if (problem) throw new HttpError(ErrorCode.BAD_USER_INPUT, problem);
}

/**
 * The widest input type has a dozen fields. graphql-js reports every unknown
 * field of a variable with a copy of the whole value, up to 50 errors, so
 * 60,000 invented keys came back as a 32 MB answer after seconds of work;
 * anything wider than this is refused before coercion.
 */
const MAX_OBJECT_KEYS = 40;

/** The first list longer than `maxItems` or object wider than MAX_OBJECT_KEYS, as a message naming its path. */
function findOversize(value: unknown, maxItems: number, path: string, depth: number): string | undefined {
  if (depth > 32 || value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    if (value.length > maxItems) return `${path}: a list may have at most ${maxItems} items.`;
    for (let i = 0; i < value.length; i++) {
      const found = findOversize(value[i], maxItems, `${path}[${i}]`, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  const keys = Object.keys(value);
  if (keys.length > MAX_OBJECT_KEYS) return `${path}: an input object may have at most ${MAX_OBJECT_KEYS} fields.`;
  for (const k of keys) {
    const found = findOversize((value as Record<string, unknown>)[k], maxItems, `${path}.${k}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}
