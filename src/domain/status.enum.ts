/** Each enum is declared once, here, as an `as const` object; graphql/ registers these very objects. */
export const AccountStatus = { ACTIVE: 'ACTIVE', INACTIVE: 'INACTIVE' } as const;
export type AccountStatus = (typeof AccountStatus)[keyof typeof AccountStatus];

export const UserStatus = { ACTIVE: 'ACTIVE', INACTIVE: 'INACTIVE', INVITED: 'INVITED' } as const;
export type UserStatus = (typeof UserStatus)[keyof typeof UserStatus];

/** SUCCEEDED: every target created (replays count). PARTIAL: some. FAILED: none (UNSUPPORTED counts as a failure). */
export const CreateStatus = { SUCCEEDED: 'SUCCEEDED', PARTIAL: 'PARTIAL', FAILED: 'FAILED' } as const;
export type CreateStatus = (typeof CreateStatus)[keyof typeof CreateStatus];

/** What a create field answers: a CreateStatus, or DRY_RUN for `dryRun: true`, which claimed, guarded and sent nothing. */
export const AnswerStatus = { ...CreateStatus, DRY_RUN: 'DRY_RUN' } as const;
export type AnswerStatus = (typeof AnswerStatus)[keyof typeof AnswerStatus];

export const CredentialKind = {
  PERSONAL_ACCESS_TOKEN: 'PERSONAL_ACCESS_TOKEN',
  CLIENT_SECRET: 'CLIENT_SECRET',
  INVITE_LINK: 'INVITE_LINK',
} as const;
export type CredentialKind = (typeof CredentialKind)[keyof typeof CredentialKind];

/**
 * Passive: from recent real calls, never from probes. CIRCUIT_OPEN: the
 * provider's circuit breaker is open (or trying one call), so the gateway
 * answers its targets UNAVAILABLE without calling it.
 */
export const HealthState = { UNKNOWN: 'UNKNOWN', HEALTHY: 'HEALTHY', DEGRADED: 'DEGRADED', CIRCUIT_OPEN: 'CIRCUIT_OPEN' } as const;
export type HealthState = (typeof HealthState)[keyof typeof HealthState];

/** A provider's circuit breaker (docs/providers.md, "Circuit breaker"). */
export const CircuitState = { CLOSED: 'CLOSED', OPEN: 'OPEN', HALF_OPEN: 'HALF_OPEN' } as const;
export type CircuitState = (typeof CircuitState)[keyof typeof CircuitState];
