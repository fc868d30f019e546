import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { ErrorCode } from '../errors/error-code.enum';
import type { NodeHandler } from './graphql.handler';
import { HttpError, sendHttpError, sendJson } from './http.error';
import { LANDING_PAGE_CSP, landingPage } from './landing.page';
import { isBrowserNavigation } from './accept.negotiation';
import { answerClientErrors, connectionRefused, ignoreAfterRefusal, requestRefused } from './client-error.handler';
import { ConnectionClosingError, queueBehind } from './pipeline.turn';
import { applyConnectionLimits, serverOptions } from './request.guard';

export interface Readiness {
  readonly ready: boolean;
  readonly body: Readonly<Record<string, unknown>>;
}

export interface HttpServerOptions {
  /** Connection caps and timeouts (request.guard.ts). */
  readonly limits: {
    readonly headersTimeoutMs: number;
    readonly requestTimeoutMs: number;
    readonly maxConnections: number;
    /** No traffic on a connection for this long closes it (request.guard.ts, idleSocketTimeoutMs). */
    readonly idleSocketTimeoutMs: number;
  };
  readonly logger: Logger;
  /** The GraphQL endpoint, with whatever the gateway checks before it (authentication). */
  readonly graphql: NodeHandler;
  readonly readiness: () => Promise<Readiness>;
  /** True once shutdown began: new requests on kept-alive connections are refused with 503. */
  readonly draining: () => boolean;
  /** Prometheus text exposition of this gateway's metrics. */
  readonly metrics: { readonly contentType: string; scrape(): Promise<string> };
  /** Answers a CORS preflight itself (true), or adds the CORS headers of the real request (false). */
  readonly cors: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** The playground on GET / and its assets, when enabled (true when it answered). */
  readonly playground: (req: IncomingMessage, res: ServerResponse, path: string) => boolean;
  /** Whether the landing page's example needs an Authorization header. */
  readonly authRequired: boolean;
}

/** node:http with the gateway's routes; every response carries a request id. */
const READ_ONLY_ROUTES: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

export function createHttpServer(options: HttpServerOptions): Server {
  const { logger } = options;

  const route = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    if (options.draining()) throw new HttpError(ErrorCode.SERVICE_UNAVAILABLE, 'The gateway is shutting down.');
    if (path === '/graphql') {
      // The page at / is what a person reaching the API in a browser wants: the playground or the landing page.
      if (!isBrowserNavigation(req.method, req.url, req.headers.accept)) return options.graphql(req, res);
      res.writeHead(302, { location: '/', 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      return void res.end('The GraphQL API answers POST /graphql; the page for people is at /.\n');
    }
    if (READ_ONLY_ROUTES.has(path) && req.method !== 'GET' && req.method !== 'HEAD') {
      throw new HttpError(ErrorCode.METHOD_NOT_ALLOWED, `${path} answers GET and HEAD only.`, { allow: 'GET, HEAD' });
    }
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/metrics') {
      const text = await options.metrics.scrape();
      res.setHeader('content-type', options.metrics.contentType);
      // A scrape describes this moment: a cache in between would hand Prometheus an old one.
      res.setHeader('cache-control', 'no-store');
      return void res.end(text);
    }
    if (path === '/readyz') {
      const readiness = await options.readiness();
      return sendJson(res, readiness.ready ? 200 : 503, readiness.body);
    }
    if (options.playground(req, res, path)) return;
    if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
      const page = landingPage({ host: req.headers.host, authRequired: options.authRequired });
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.setHeader('content-security-policy', LANDING_PAGE_CSP);
      res.setHeader('x-content-type-options', 'nosniff');
      // The page names the Host it was reached at: a shared cache must not serve one caller's copy to another.
      res.setHeader('cache-control', 'no-store');
      // Set here: Node computes none for a HEAD, which must announce what a GET would carry.
      res.setHeader('content-length', Buffer.byteLength(page));
      return void res.end(page);
    }
    throw new HttpError(ErrorCode.NOT_FOUND, `No route ${path}; the API is at /graphql.`);
  };

  const server = createServer(serverOptions(options.limits), (req, res) => {
    // A request parsed after its connection was refused (client-error.handler.ts) is not run, nor answered; the
    // connection is not cut either, as answers of requests before it may still be on their way.
    if (connectionRefused(req.socket)) return void ignoreAfterRefusal(req.socket);
    // Pipelined behind answers still owed: counted, and the connection held back past a bound (pipeline.turn.ts).
    if (!res.socket && !queueBehind(req, res)) return;
    const requestId = assignRequestId(req, res);
    const path = (req.url ?? '/').split('?')[0];
    // CORS is for the API only: a listed frontend has no business reading /metrics or the playground.
    if (path === '/graphql' && options.cors(req, res)) return;
    // The request id travels in the response's header, not in AsyncLocalStorage (docs/performance.md).
    route(req, res, path).catch((err: unknown) => {
      if (err instanceof HttpError) return sendHttpError(res, err);
      // Refused with a 408 or 400 (client-error.handler.ts): not the client's hang-up, and answered there.
      if (requestRefused(req)) return;
      // Pipelined behind an answer that closed the connection, or sent by a client that ended its side: not run.
      if (err instanceof ConnectionClosingError) return void logger.info({ requestId, path }, err.message);
      if (isClientAbort(err, req)) {
        // A client that hangs up is routine, not a gateway error: once, at info, without a stack.
        logger.info({ requestId, path }, 'client closed the connection before the response');
        return void res.destroy();
      }
      logger.error({ err: (err as Error)?.message, stack: (err as Error)?.stack, requestId }, 'request failed');
      if (res.headersSent) return void res.destroy();
      sendHttpError(res, new HttpError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error'));
    });
  });
  // Node answers `Expect: 100-continue` with "100 Continue" before any handler runs, inviting an upload the
  // gateway may refuse (401, 413): handled as any request, and the body reader sends the 100 when it reads.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => server.emit('request', req, res));
  // Any other expectation Node would answer with a bare 417 of its own, keeping the connection and the unread body
  // for the next request, and without a 'request' event (so a later refusal on the connection could not know it
  // was answered): refused here, in the gateway's shape, and the connection closed.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    if (connectionRefused(req.socket)) return;
    assignRequestId(req, res);
    sendHttpError(
      res,
      new HttpError(ErrorCode.EXPECTATION_FAILED, 'The only expectation this gateway meets is "Expect: 100-continue"; nothing was run.', {}, true),
    );
  });
  applyConnectionLimits(server, options.limits);
  answerClientErrors(server);
  return server;
}

function isClientAbort(err: unknown, req: IncomingMessage): boolean {
  const code = (err as { code?: unknown })?.code;
  return req.destroyed || code === 'ECONNRESET' || code === 'ECONNABORTED' || (err as Error)?.message === 'aborted';
}

/** The exchange's id: the client's own when it is a sane one, else a new one; set on the response first of all. */
function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const requestId = sanitizeRequestId(req.headers['x-request-id']) ?? randomUUID();
  res.setHeader('x-request-id', requestId);
  return requestId;
}

function sanitizeRequestId(v: string | string[] | undefined): string | undefined {
  return typeof v === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(v) ? v : undefined;
}
