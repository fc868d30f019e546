import type { Operation } from './operation.enum';

/** What a create would do, computed up to (and not including) its first side effect. */
export const PlanKeyState = {
  /** Unknown key: the create would run. */
  NEW: 'NEW',
  /** Completed under this key: the create would be CONFLICT, nothing sent. */
  COMPLETED: 'COMPLETED',
  /** Another request runs under this key now: CONFLICT (inProgress), nothing sent. */
  IN_PROGRESS: 'IN_PROGRESS',
  /** Used with a different input: IDEMPOTENCY_KEY_REUSED, nothing sent. */
  REUSED: 'REUSED',
  /** An earlier attempt left retryable failures: only those targets would run. */
  RETRY: 'RETRY',
} as const;
export type PlanKeyState = (typeof PlanKeyState)[keyof typeof PlanKeyState];

export const PlanAction = {
  /** The upstream request below would be sent. */
  CALL: 'CALL',
  /** Created by an earlier attempt under this key: replayed, not sent again. */
  REPLAY: 'REPLAY',
  /** Failed permanently in an earlier attempt: that failure would be answered again. */
  KEEP_FAILURE: 'KEEP_FAILURE',
  /** This provider cannot do this operation (or not with this input): UNSUPPORTED without a call. */
  UNSUPPORTED: 'UNSUPPORTED',
  /**
   * This natural key on this provider was created, or may have been, by another key (or by an earlier attempt
   * of this key whose record has expired): CONFLICT without a call.
   */
  GUARD_CONFLICT: 'GUARD_CONFLICT',
  /** Another key's attempt is creating this natural key right now: CONFLICT (retryable) without a call; it may yet give it back. */
  GUARD_BUSY: 'GUARD_BUSY',
  /** The provider's circuit breaker is open: UNAVAILABLE (retryable) without a call, until its trial call. */
  CIRCUIT_OPEN: 'CIRCUIT_OPEN',
  /** The key's state stops the whole create before any target runs. */
  NOT_SENT: 'NOT_SENT',
} as const;
export type PlanAction = (typeof PlanAction)[keyof typeof PlanAction];

export const GuardState = { FREE: 'FREE', HELD_BY_THIS_KEY: 'HELD_BY_THIS_KEY', HELD_BY_OTHER: 'HELD_BY_OTHER' } as const;
export type GuardState = (typeof GuardState)[keyof typeof GuardState];

/** An upstream request as it would leave: credentials' values never shown, secrets in the body replaced. */
export interface UpstreamRequestDescription {
  readonly method: string;
  readonly url: string;
  /** Names only: the values carry the provider token. */
  readonly headerNames: readonly string[];
  /** The JSON body with every secret value replaced by `"<redacted>"`. */
  readonly body: Readonly<Record<string, unknown>>;
}

export interface PlannedTarget {
  readonly providerId: string;
  readonly action: PlanAction;
  readonly naturalKey?: string;
  readonly guard?: GuardState;
  readonly message?: string;
  readonly request?: UpstreamRequestDescription;
}

export interface CreatePlan {
  readonly operation: Operation;
  readonly idempotencyKey: string;
  readonly keyDerived: boolean;
  readonly keyState: PlanKeyState;
  /** Whether any upstream request would be sent. */
  readonly wouldSend: boolean;
  readonly targets: readonly PlannedTarget[];
}

/** Body fields whose values are secrets wherever they appear: redacted in plans, HMAC'd in fingerprints. */
export const SECRET_FIELDS: ReadonlySet<string> = new Set(['password']);
export const REDACTED = '<redacted>';
