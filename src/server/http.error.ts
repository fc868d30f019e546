import type { ServerResponse } from 'node:http';
import { errorContentType } from './accept.negotiation';
import { type ErrorCode, HTTP_STATUS } from '../errors/error-code.enum';

/**
 * A request refused by the HTTP layer; its status comes from the one table,
 * never from the thrower. `close` ends the connection after the answer, so a
 * client refused mid-upload cannot keep the socket (and whatever it still
 * sends) for another request.
 */
export class HttpError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly close = false,
    /** Shown beside the code (`retryAfterSeconds`): what a client needs to act on the refusal. */
    readonly extensions: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = HTTP_STATUS[code].refused;
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, contentType = 'application/json; charset=utf-8'): void {
  res.statusCode = status;
  res.setHeader('content-type', contentType);
  // Refusals, health and readiness describe this moment and this request: never to be served from a cache.
  res.setHeader('cache-control', 'no-store');
  res.end(JSON.stringify(body));
}

/** The same shape as a GraphQL error response, so a client reads every refusal one way. */
export function refusalBody(code: ErrorCode, message: string, requestId: string | undefined, extensions: Readonly<Record<string, unknown>> = {}): object {
  return { errors: [{ message, extensions: { code, ...extensions, ...(requestId ? { requestId } : {}) } }] };
}

export function sendHttpError(res: ServerResponse, err: HttpError): void {
  for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  if (err.close) res.setHeader('connection', 'close');
  sendJson(res, err.status, refusalBody(err.code, err.message, requestIdOf(res), err.extensions), errorContentType(res.req?.headers.accept));
}

/** The id the HTTP server gave this exchange (http.server.ts sets it before anything else runs). */
export function requestIdOf(res: ServerResponse): string | undefined {
  const id = res.getHeader('x-request-id');
  return typeof id === 'string' ? id : undefined;
}
