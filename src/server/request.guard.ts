import type { IncomingMessage, Server, ServerOptions } from 'node:http';
import type { ClientAuthenticator, ClientIdentity } from '../auth/client.authenticator';
import type { GatewayConfig } from '../config/config.loader';
import { UnauthenticatedError } from '../errors/gateway.error';

/**
 * A request refused by the HTTP layer before GraphQL runs. `close` ends the
 * connection after the answer, so a client refused mid-upload cannot keep
 * the socket (and whatever it still sends) for another request.
 */
export class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly close = true,
  ) {
    super(message);
  }
}

/** Options for node:http's createServer: slow clients are cut off (docs/security.md). */
export function serverOptions(config: GatewayConfig): ServerOptions {
  const { headersTimeoutMs, requestTimeoutMs } = config.server;
  return {
    headersTimeout: headersTimeoutMs,
    requestTimeout: requestTimeoutMs,
    // Node enforces both timeouts on this interval (30 s by default), which would stretch a 1 s timeout to 30.
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeoutMs / 4))),
  };
}

export function applyConnectionLimits(server: Server, config: GatewayConfig): void {
  // Connections over the cap are closed as they arrive: an idle or slow client cannot make the gateway hold unbounded sockets.
  server.maxConnections = config.server.maxConnections;
  server.keepAliveTimeout = 5_000;
}

const LOOPBACK_IPV4 = /^127(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

function isLoopbackName(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || LOOPBACK_IPV4.test(hostname);
}

/**
 * Without authentication the gateway is safe only if nothing but this
 * machine can drive it. Listening on loopback is not enough: a web page can
 * point its own domain at 127.0.0.1 (DNS rebinding) and its requests then
 * carry that domain in Host. So Host must name loopback, and so must Origin
 * when a browser sends one.
 */
export function checkLoopbackOnly(req: IncomingMessage, authEnabled: boolean): void {
  if (authEnabled) return;
  const host = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::\d{1,5})?$/.exec(req.headers.host ?? '');
  if (!host || !isLoopbackName(host[1].toLowerCase())) {
    throw new HttpRefusal(
      421,
      'MISDIRECTED_REQUEST',
      'This gateway runs without authentication and answers only requests addressed to a loopback host (127.0.0.1, localhost, [::1]).',
    );
  }
  const origin = req.headers.origin;
  if (origin === undefined) return;
  let hostname: string | undefined;
  try {
    hostname = new URL(origin).hostname;
  } catch {
    hostname = undefined;
  }
  if (!hostname || !isLoopbackName(hostname.toLowerCase())) {
    throw new HttpRefusal(403, 'FORBIDDEN', 'This gateway runs without authentication and accepts browser requests only from a loopback origin.');
  }
}

/** Credentials come from headers only, so a refused client is answered before one byte of its body is read. */
export async function authenticateFromHeaders(req: IncomingMessage, authenticator: ClientAuthenticator): Promise<ClientIdentity> {
  const authorization = req.headersDistinct.authorization;
  if (authorization && authorization.length > 1) throw unauthenticated(new UnauthenticatedError('Send one Authorization header.', true));
  try {
    return await authenticator.authenticate(authorization?.[0]);
  } catch (err) {
    if (err instanceof UnauthenticatedError) throw unauthenticated(err);
    throw err;
  }
}

function unauthenticated(err: UnauthenticatedError): HttpRefusal {
  // RFC 6750 §3: say which scheme is expected, and whether the token sent was the problem.
  const challenge = err.tokenPresented ? 'Bearer realm="identity-gateway", error="invalid_token"' : 'Bearer realm="identity-gateway"';
  return new HttpRefusal(401, err.code, err.message, { 'www-authenticate': challenge });
}

/**
 * Checks a parsed JSON body before GraphQL sees it: batches are refused
 * (one operation per request, so every limit holds per request), and no
 * list in the variables may exceed `listItems`. GraphQL would otherwise
 * coerce a 260,000-item list in full before any rule could object.
 */
export function checkBodyShape(body: unknown, limits: GatewayConfig['server']['limits']): void {
  if (Array.isArray(body)) {
    throw new HttpRefusal(400, 'BAD_REQUEST', 'Batched operations are not accepted: send one GraphQL operation per request.', {}, false);
  }
  const variables = (body as { variables?: unknown } | null)?.variables;
  const path = findLongList(variables, limits.listItems, 'variables', 0);
  if (path) {
    throw new HttpRefusal(400, 'BAD_USER_INPUT', `${path}: a list may have at most ${limits.listItems} items.`, {}, false);
  }
}

function findLongList(value: unknown, max: number, path: string, depth: number): string | undefined {
  if (depth > 32 || value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    if (value.length > max) return path;
    for (let i = 0; i < value.length; i++) {
      const found = findLongList(value[i], max, `${path}[${i}]`, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  for (const [k, v] of Object.entries(value)) {
    const found = findLongList(v, max, `${path}.${k}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}
