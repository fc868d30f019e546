import type { TargetOutcome } from './identity.outcome';

/** What an idempotency check answered instead of (or besides) calling providers. */
export type IdempotencyEvent =
  /** The key's create was already completed: CONFLICT with the original outcome. */
  | 'conflict'
  /** The key's create is still running elsewhere: CONFLICT with `inProgress`. */
  | 'in_progress'
  /** The key was used with another input. */
  | 'reused'
  /** A target created by an earlier attempt, answered again without a call. */
  | 'replay'
  /** A target refused without a call: another key holds its natural-key guard. */
  | 'guard_conflict';

/**
 * What the identity service reports as it works, for metrics. A port: the
 * service knows this interface, not the metrics library behind it. Every
 * method must be cheap and must not throw.
 */
export interface IdentityEvents {
  /** One upstream call finished (not called for targets answered without a call). */
  targetFinished(providerId: string, outcome: TargetOutcome, seconds: number): void;
  idempotency(event: IdempotencyEvent, providerId?: string): void;
  /** The idempotency store failed after the upstream work was done (the outcome was answered but not recorded). */
  storeError(): void;
  /** A provider issued one-time credentials whose answer never reached the client (it went away first). */
  credentialsLost(providerId: string): void;
}

export const NO_IDENTITY_EVENTS: IdentityEvents = {
  targetFinished: () => undefined,
  idempotency: () => undefined,
  storeError: () => undefined,
  credentialsLost: () => undefined,
};
