/** Why one provider target failed. Shared vocabulary of adapters, the identity service and the API. */
export enum ProviderErrorCode {
  CONFLICT = 'CONFLICT',
  BAD_REQUEST = 'BAD_REQUEST',
  UNAUTHORIZED = 'UNAUTHORIZED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  RATE_LIMITED = 'RATE_LIMITED',
  UNAVAILABLE = 'UNAVAILABLE',
  TIMEOUT = 'TIMEOUT',
  UNSUPPORTED = 'UNSUPPORTED',
  INTERNAL = 'INTERNAL',
}

const RETRYABLE: ReadonlySet<ProviderErrorCode> = new Set([
  ProviderErrorCode.RATE_LIMITED,
  ProviderErrorCode.UNAVAILABLE,
  ProviderErrorCode.TIMEOUT,
]);

/** Only transient failures are worth a retry with the same idempotency key. */
export function isRetryable(code: ProviderErrorCode): boolean {
  return RETRYABLE.has(code);
}
