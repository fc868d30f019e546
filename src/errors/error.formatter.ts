import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ErrorCode } from './error-code.enum';
import { GatewayError } from './gateway.error';
import { isLiteralError, literalField, withoutLiteralValue } from './literal.locator';
import { withoutTokenValue } from './syntax-error.redactor';
import { variableField } from './variable.locator';

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
 * What an error is to a client: a gateway error (its code and extensions), one of Apollo's request errors
 * (passed on), a refusal Apollo raised without a code (a 4xx: BAD_REQUEST), or unexpected (a bug: masked).
 */
type ErrorKind = 'gateway' | 'apollo' | 'argument' | 'bad-request' | 'unexpected';

/**
 * graphql-js's own argument errors at execution (`getArgumentValues`): validation passed, but a variable
 * inside an argument is null or missing where a value is required (`input: {email: $e}` with `$e: null`).
 * Its message prints the whole literal, passwords included.
 */
const ARGUMENT_ERROR = /^Argument "([_A-Za-z][_0-9A-Za-z]*)" (?:has invalid value |of non-null type |of required type )/;

function kindOf(error: unknown, code: unknown): ErrorKind {
  const original = unwrapResolverError(error);
  if (original instanceof GatewayError) return 'gateway';
  if (original instanceof GraphQLError && original.originalError === undefined && ARGUMENT_ERROR.test(original.message)) return 'argument';
  if (typeof code === 'string' && PASS_THROUGH.has(code)) return 'apollo';
  // Apollo's own request errors without a code (an APQ hash that does not match its query) carry a 4xx.
  const httpStatus = (original as { extensions?: { http?: { status?: number } } })?.extensions?.http?.status;
  if (typeof httpStatus === 'number' && httpStatus >= 400 && httpStatus < 500 && (code === undefined || code === ErrorCode.INTERNAL_SERVER_ERROR))
    return 'bad-request';
  return 'unexpected';
}

/** True for an error the client sees masked: the one kind worth a log line with its stack. */
export function isUnexpectedError(error: unknown): boolean {
  return kindOf(error, (error as { extensions?: { code?: unknown } })?.extensions?.code) === 'unexpected';
}

/**
 * The one place errors become what a client sees (Apollo's formatError). Gateway errors keep their code
 * and extensions; Apollo's request errors pass; anything else is masked as INTERNAL_SERVER_ERROR.
 * Apollo gives formatError no request: the request id is added, and the unexpected error logged with it,
 * by request-errors.plugin.ts (and, for a request refused before any plugin ran, by the HTTP bridge).
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  return formatFor(formatted, error, false);
}

/**
 * formatError for a gateway with introspection off: no error suggests a name of the schema. Apollo's
 * hideSchemaDetailsFromClientErrors strips validation errors only; graphql-js also suggests in variable
 * coercion errors (`Value "CREATE_USR" does not exist in "IdentityOperation" enum. Did you mean the enum
 * value "CREATE_USER"?`), which would read hidden enum values one typo at a time.
 */
export function formatErrorWithoutSuggestions(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  return formatFor(formatted, error, true);
}

/** graphql-js's didYouMean sentence, always the end of its message. */
const SUGGESTION = / Did you mean .*\?$/s;

function formatFor(formatted: GraphQLFormattedError, error: unknown, hideSuggestions: boolean): GraphQLFormattedError {
  if (hideSuggestions && SUGGESTION.test(formatted.message)) formatted = { ...formatted, message: formatted.message.replace(SUGGESTION, '') };
  const code = formatted.extensions?.code;
  switch (kindOf(error, code)) {
    case 'gateway': {
      const original = unwrapResolverError(error) as GatewayError;
      return { message: original.message, locations: formatted.locations, path: formatted.path, extensions: { ...original.extensions, code: original.code } };
    }
    case 'apollo': {
      // A literal that fails scalar or enum coercion is bad input as much as a bad variable is.
      const cause = (error as { originalError?: { extensions?: Record<string, unknown> } })?.originalError?.extensions;
      const literal = code === 'GRAPHQL_VALIDATION_FAILED' && error instanceof GraphQLError && isLiteralError(error);
      const badLiteral = literal || (code === 'GRAPHQL_VALIDATION_FAILED' && cause?.code === ErrorCode.BAD_USER_INPUT);
      // One form for every bad input: the path below the argument or variable (`hoop.password`).
      const field =
        formatted.extensions?.field ??
        (code === ErrorCode.BAD_USER_INPUT ? variableField(formatted.message) : undefined) ??
        cause?.field ??
        (literal ? literalField(error as GraphQLError) : undefined);
      const limits = pick(formatted.extensions, LIMIT_DETAILS);
      return {
        // Apollo's own words tell a client to reconfigure ApolloServer; the switch is the gateway's config.
        message:
          formatted.extensions?.validationErrorCode === 'INTROSPECTION_DISABLED'
            ? 'Introspection is off on this gateway (server.introspection in its config; off by default when NODE_ENV=production).'
            : code === 'GRAPHQL_VALIDATION_FAILED' && formatted.message === 'Validation aborted.'
              ? // graphql-js's own work budget (comparing every pair of same-named fields) ran out: say which.
                'Validation aborted: the operation repeats too many fields for graphql-js to compare them (its work limit); select each field once.'
              : literal
                ? withoutLiteralValue(formatted.message, error as GraphQLError)
                : code === 'GRAPHQL_PARSE_FAILED'
                  ? withoutTokenValue(formatted.message)
                  : formatted.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: badLiteral ? ErrorCode.BAD_USER_INPUT : code, ...(field ? { field } : {}), ...limits },
      };
    }
    case 'argument': {
      const argument = ARGUMENT_ERROR.exec((unwrapResolverError(error) as GraphQLError).message)![1];
      return {
        message: `Argument "${argument}" has an invalid value: a variable in it is null or was not provided where a value is required.`,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: ErrorCode.BAD_USER_INPUT, field: argument },
      };
    }
    case 'bad-request':
      return { message: formatted.message, locations: formatted.locations, extensions: { code: 'BAD_REQUEST' } };
    case 'unexpected':
      return { message: 'Internal server error', locations: formatted.locations, path: formatted.path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  }
}

/** The errors of a response with the request id in each one's extensions, last, as every error carries it (docs/errors.md). */
export function withRequestId(errors: readonly GraphQLFormattedError[], requestId: string): GraphQLFormattedError[] {
  return errors.map((e) => ({ ...e, extensions: { ...e.extensions, requestId } }));
}

/** A refusal Apollo answered before any plugin ran gets its request id here (the plugin adds it everywhere else). */
export function addRequestId(body: string, requestId: string | undefined): string {
  if (!requestId) return body;
  let parsed: { errors?: GraphQLFormattedError[] };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    return body;
  }
  if (!Array.isArray(parsed?.errors) || parsed.errors.every((e) => e.extensions?.requestId !== undefined)) return body;
  // Apollo's own serialisation: JSON and a newline.
  return `${JSON.stringify({ ...parsed, errors: withRequestId(parsed.errors, requestId) })}\n`;
}
