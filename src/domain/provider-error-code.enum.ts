/** Why one target failed. Shared vocabulary of adapters, the identity service, the store and the API. */
export const ProviderErrorCode = {
  CONFLICT: 'CONFLICT',
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  RATE_LIMITED: 'RATE_LIMITED',
  UNAVAILABLE: 'UNAVAILABLE',
  TIMEOUT: 'TIMEOUT',
  UNSUPPORTED: 'UNSUPPORTED',
  INTERNAL: 'INTERNAL',
} as const;
export type ProviderErrorCode = (typeof ProviderErrorCode)[keyof typeof ProviderErrorCode];

const RETRYABLE: ReadonlySet<ProviderErrorCode> = new Set([ProviderErrorCode.RATE_LIMITED, ProviderErrorCode.UNAVAILABLE, ProviderErrorCode.TIMEOUT]);

/** Only transient failures are worth a retry with the same idempotency key. */
export function isRetryable(code: ProviderErrorCode): boolean {
  return RETRYABLE.has(code);
}
