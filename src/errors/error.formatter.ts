import { AsyncLocalStorage } from 'node:async_hooks';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { ErrorCode } from './error-code.enum';
import { GatewayError } from './gateway.error';

/** formatError has no context: the request id travels here instead. */
export const requestScope = new AsyncLocalStorage<{ requestId: string }>();

/** Apollo's own pre-execution codes: safe to show as they are. */
const PASS_THROUGH = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** What a refused limit tells the client (the bound and how far over it the request was); nothing else passes. */
const LIMIT_DETAILS = ['limit', 'count'] as const;

function pick(from: Readonly<Record<string, unknown>> | undefined, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (from?.[k] !== undefined) out[k] = from[k];
  return out;
}

/**
 * The one place errors become what a client sees. Gateway errors keep their
 * code and extensions; Apollo's request errors pass; anything else is masked
 * as INTERNAL_SERVER_ERROR with the request id, and logged in full.
 */
export function createFormatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const requestId = requestScope.getStore()?.requestId;
    if (original instanceof GatewayError) {
      return {
        message: original.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { ...original.extensions, code: original.code, requestId },
      };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && PASS_THROUGH.has(code)) {
      // A literal that fails scalar or enum coercion is bad input as much as a bad variable is.
      const cause = (error as { originalError?: { extensions?: Record<string, unknown> } })?.originalError?.extensions;
      const badLiteral =
        code === 'GRAPHQL_VALIDATION_FAILED' && (cause?.code === ErrorCode.BAD_USER_INPUT || /^Expected value of type/.test(formatted.message));
      const field = formatted.extensions?.field ?? cause?.field;
      const limits = pick(formatted.extensions, LIMIT_DETAILS);
      return {
        message: formatted.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: badLiteral ? ErrorCode.BAD_USER_INPUT : code, ...(field ? { field } : {}), ...limits, requestId },
      };
    }
    // Apollo's own request errors without a code (an APQ hash that does not match its query) carry a 4xx.
    const httpStatus = (original as { extensions?: { http?: { status?: number } } })?.extensions?.http?.status;
    if (typeof httpStatus === 'number' && httpStatus >= 400 && httpStatus < 500 && code === ErrorCode.INTERNAL_SERVER_ERROR) {
      return { message: formatted.message, locations: formatted.locations, extensions: { code: 'BAD_REQUEST', requestId } };
    }
    logger.error({ err: original instanceof Error ? { message: original.message, stack: original.stack } : String(original), requestId }, 'unexpected error');
    return {
      message: 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId },
    };
  };
}
