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
    super(message);
    this.name = new.target.name;
  }
}

export class BadUserInputError extends GatewayError {
  /** `field` is the input path of the first problem, `problems` lists all of them. */
  constructor(readonly problems: ReadonlyArray<{ field: string; message: string }>) {
    super(
      ErrorCode.BAD_USER_INPUT,
      problems.map((p) => `${p.field}: ${p.message}`).join('; '),
      { field: problems[0]?.field, problems },
    );
  }
}

export class ConflictError extends GatewayError {
  constructor(message: string, extensions: Record<string, unknown>) {
    super(ErrorCode.CONFLICT, message, extensions);
  }
}

export class IdempotencyKeyReusedError extends GatewayError {
  constructor(idempotencyKey: string) {
    super(
      ErrorCode.IDEMPOTENCY_KEY_REUSED,
      'This idempotency key was already used with a different input; use a new key for a different request.',
      { idempotencyKey },
    );
  }
}

export class ServiceUnavailableError extends GatewayError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(ErrorCode.SERVICE_UNAVAILABLE, message, extensions);
  }
}

export class UnauthenticatedError extends GatewayError {
  constructor(message = 'A valid API key or token is required (Authorization: Bearer <key>).') {
    super(ErrorCode.UNAUTHENTICATED, message);
  }
}

export class ForbiddenError extends GatewayError {
  constructor(scope: string) {
    super(ErrorCode.FORBIDDEN, `This operation needs the scope ${scope}.`, { requiredScope: scope });
  }
}
