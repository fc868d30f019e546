/**
 * The closed set of `extensions.code` values a client can see. Apollo's own
 * pre-execution codes (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, ...)
 * pass through unchanged; everything else is one of these, including the
 * refusals the HTTP layer makes before GraphQL runs at all.
 */
export enum ErrorCode {
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  CONFLICT = 'CONFLICT',
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
  BAD_REQUEST = 'BAD_REQUEST',
  NOT_FOUND = 'NOT_FOUND',
  METHOD_NOT_ALLOWED = 'METHOD_NOT_ALLOWED',
  /** An Accept header that admits no JSON type: refused before the operation runs (graphql.handler.ts). */
  NOT_ACCEPTABLE = 'NOT_ACCEPTABLE',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE = 'UNSUPPORTED_MEDIA_TYPE',
  /** No authentication, and the request did not name a loopback host (DNS rebinding): docs/security.md. */
  MISDIRECTED_REQUEST = 'MISDIRECTED_REQUEST',
  /** Refused by Node's HTTP parser before any handler (client-error.handler.ts): headers over its limit. */
  HEADERS_TOO_LARGE = 'HEADERS_TOO_LARGE',
  /** The request's headers or body did not arrive within server.headersTimeoutMs / requestTimeoutMs. */
  REQUEST_TIMEOUT = 'REQUEST_TIMEOUT',
  /** An Expect header other than 100-continue (http.server.ts): nothing was run. */
  EXPECTATION_FAILED = 'EXPECTATION_FAILED',
}

export interface HttpStatusOf {
  /** The request was answered with this error alone, without executing any operation. */
  readonly refused: number;
  /**
   * An executed operation produced this error and no field produced data.
   * 200 leaves the status to GraphQL-over-HTTP (and to Apollo, which already
   * says 400 for a request it could not execute).
   */
  readonly executed: number;
}

/**
 * The one table of HTTP statuses; a Record so that a new code does not
 * compile until it has its statuses.
 *
 * Why two columns: GraphQL-over-HTTP answers an executed operation with 200,
 * its errors in the body, because one field's failure says nothing about the
 * others; so input, conflict, key-reuse and unexpected errors stay 200 there.
 * Only an error that concerns the whole request (the store is down, the
 * caller is unknown or lacks the scope) earns its own status, and only when
 * no field produced data: a response carrying data (perhaps one-time
 * credentials) must not look like a failure to a client that checks the
 * status first. The HTTP layer's refusals (bad request, no route, method,
 * size) are decided before execution, so their status is the whole answer;
 * should one ever come out of a resolver, it is that field's answer like any
 * other, hence 200.
 */
export const HTTP_STATUS: Readonly<Record<ErrorCode, HttpStatusOf>> = Object.freeze({
  [ErrorCode.BAD_USER_INPUT]: { refused: 400, executed: 200 },
  [ErrorCode.CONFLICT]: { refused: 409, executed: 200 },
  [ErrorCode.IDEMPOTENCY_KEY_REUSED]: { refused: 422, executed: 200 },
  [ErrorCode.INTERNAL_SERVER_ERROR]: { refused: 500, executed: 200 },
  [ErrorCode.SERVICE_UNAVAILABLE]: { refused: 503, executed: 503 },
  [ErrorCode.UNAUTHENTICATED]: { refused: 401, executed: 401 },
  [ErrorCode.FORBIDDEN]: { refused: 403, executed: 403 },
  [ErrorCode.BAD_REQUEST]: { refused: 400, executed: 200 },
  [ErrorCode.NOT_FOUND]: { refused: 404, executed: 200 },
  [ErrorCode.METHOD_NOT_ALLOWED]: { refused: 405, executed: 200 },
  [ErrorCode.NOT_ACCEPTABLE]: { refused: 406, executed: 200 },
  [ErrorCode.PAYLOAD_TOO_LARGE]: { refused: 413, executed: 200 },
  [ErrorCode.UNSUPPORTED_MEDIA_TYPE]: { refused: 415, executed: 200 },
  [ErrorCode.MISDIRECTED_REQUEST]: { refused: 421, executed: 200 },
  [ErrorCode.HEADERS_TOO_LARGE]: { refused: 431, executed: 200 },
  [ErrorCode.REQUEST_TIMEOUT]: { refused: 408, executed: 200 },
  [ErrorCode.EXPECTATION_FAILED]: { refused: 417, executed: 200 },
});

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(HTTP_STATUS, code);
}
