import type { ProviderErrorCode } from './provider-error-code.enum';
import type { CreateStatus, CredentialKind } from './status.enum';

/** What a provider created, as far as it is safe to keep: no secrets. */
export interface CreatedEntity {
  /** The provider's id; absent when its answer named none (hoop's and Versori's contracts make it optional). */
  readonly id?: string;
  readonly name?: string;
  readonly displayName?: string;
  readonly email?: string;
  readonly username?: string;
  readonly status?: string;
  readonly createdAt?: string;
}

/** A one-time value issued by a provider: returned once, never stored or logged. */
export interface IssuedCredential {
  readonly kind: CredentialKind;
  readonly id?: string;
  readonly clientId?: string;
  readonly secret: string;
  readonly expiresAt?: string;
}

export interface TargetFailure {
  readonly code: ProviderErrorCode;
  readonly message: string;
  readonly httpStatus?: number;
  readonly retryable: boolean;
  readonly retryAfterSeconds?: number;
  /** The provider's own id of the failed request (the generic API's `requestId`), for its support. */
  readonly upstreamRequestId?: string;
  /**
   * The request may have reached the provider and created the identity (a timeout, a connection that broke
   * once the request was under way, a proxy's 502/504): a later attempt's CONFLICT may be this one's doing.
   */
  readonly mayHaveCreated?: boolean;
  /**
   * The provider's answer says it did not act on the request: a 307 or 308 redirect (send the same request
   * elsewhere), which the gateway does not follow. Its status alone would be INTERNAL, which otherwise counts
   * as a possible create (as 301, 302 and 303 do: the usual answers to a POST that was carried out).
   */
  readonly nothingCreated?: boolean;
}

/**
 * One target's outcome, with one tag (`kind`) from the adapter to the stored
 * record: an adapter returns a TargetOutcome, the service adds the provider
 * id (TargetResult), and the store keeps it without credentials (TargetRecord).
 */
export type TargetOutcome =
  | {
      readonly kind: 'created';
      readonly entity: CreatedEntity;
      readonly credentials: readonly IssuedCredential[];
      /** The 2xx the provider answered with: for metrics, never recorded. */
      readonly httpStatus?: number;
    }
  | { readonly kind: 'failed'; readonly failure: TargetFailure };

export type TargetResult =
  | {
      readonly providerId: string;
      readonly kind: 'created';
      readonly entity: CreatedEntity;
      readonly credentials: readonly IssuedCredential[];
      readonly replayed: boolean;
    }
  | { readonly providerId: string; readonly kind: 'failed'; readonly failure: TargetFailure };

/** What is kept of one target's outcome: never a credential. */
export type TargetRecord =
  | { readonly providerId: string; readonly kind: 'created'; readonly entity: CreatedEntity }
  | { readonly providerId: string; readonly kind: 'failed'; readonly failure: TargetFailure };

export interface CreateResult {
  readonly idempotencyKey: string;
  readonly status: CreateStatus;
  readonly results: readonly TargetResult[];
}
