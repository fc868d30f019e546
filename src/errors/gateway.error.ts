import { ErrorCode } from './error-code.enum';

/**
 * Base of every error the gateway raises on purpose. Deliberately not a
 * GraphQLError: the identity layer must not know GraphQL; `format-error.ts`
 * is the one place that turns these into GraphQL errors.
 */
export class GatewayError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extensions: Readonly<Record<string, unknown>> = {},
  ) {
    // An answer to the client (CONFLICT, BAD_USER_INPUT, …), not a bug: nothing reads its stack, and
    // GraphQL formats the stack of every error it wraps (visible in the profile of the duplicate path).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(message);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.name = new.target.name;
    // GraphQL reads the stack of every error it wraps; a plain string spares V8 formatting one.
    Object.defineProperty(this, 'stack', { value: `${this.name}: ${message}`, writable: true, configurable: true });
  }
}

/** Problems listed in one answer; the rest are counted in `problemsOmitted` so a hostile input cannot inflate the answer. */
export const MAX_PROBLEMS_SHOWN = 20;

export class BadUserInputError extends GatewayError {
  /** `field` is the input path of the first problem, `problems` lists the first MAX_PROBLEMS_SHOWN of them. */
  constructor(all: ReadonlyArray<{ field: string; message: string }>) {
    const problems = all.slice(0, MAX_PROBLEMS_SHOWN);
    const omitted = all.length - problems.length;
    super(ErrorCode.BAD_USER_INPUT, problems.map((p) => `${p.field}: ${p.message}`).join('; ') + (omitted ? `; and ${omitted} more problem(s)` : ''), {
      field: problems[0]?.field,
      problems,
      ...(omitted ? { problemsOmitted: omitted } : {}),
    });
    this.problems = problems;
  }
  readonly problems: ReadonlyArray<{ field: string; message: string }>;
}

export class ConflictError extends GatewayError {
  constructor(message: string, extensions: Record<string, unknown>) {
    super(ErrorCode.CONFLICT, message, extensions);
  }
}

export class IdempotencyKeyReusedError extends GatewayError {
  constructor(idempotencyKey: string) {
    super(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'This idempotency key was already used with a different input; use a new key for a different request.', {
      idempotencyKey,
    });
  }
}

export class ServiceUnavailableError extends GatewayError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(ErrorCode.SERVICE_UNAVAILABLE, message, extensions);
  }
}

export class UnauthenticatedError extends GatewayError {
  /** `tokenPresented`: a credential was sent and refused (RFC 6750 `error="invalid_token"`), not merely missing. */
  constructor(
    message = 'A valid API key or token is required (Authorization: Bearer <key>).',
    readonly tokenPresented = false,
  ) {
    super(ErrorCode.UNAUTHENTICATED, message);
  }
}

export class ForbiddenError extends GatewayError {
  constructor(scope: string) {
    super(ErrorCode.FORBIDDEN, `This operation needs the scope ${scope}.`, { requiredScope: scope });
  }
}

/** The client's policy does not allow a target or a privilege value; `field` names the input field. */
export class PolicyDeniedError extends GatewayError {
  constructor(field: string, message: string) {
    super(ErrorCode.FORBIDDEN, `${field}: ${message}`, { field });
  }
}
