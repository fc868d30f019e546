/**
 * The closed set of `extensions.code` values a client can see. Apollo's own
 * pre-execution codes (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, ...)
 * pass through unchanged; everything else is one of these.
 */
export enum ErrorCode {
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  CONFLICT = 'CONFLICT',
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

/** HTTP status for an error raised during execution (GraphQL-over-HTTP: 200 unless the request as a whole cannot be served). */
export const HTTP_STATUS_BY_CODE: Readonly<Partial<Record<string, number>>> = Object.freeze({
  [ErrorCode.SERVICE_UNAVAILABLE]: 503,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
});
