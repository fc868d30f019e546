import type { CreatedEntity, Operation, TargetFailure } from '../providers/identity.types';

/** Who owns a key: idempotency keys are scoped per client and operation. */
export interface RecordRef {
  readonly clientId: string;
  readonly operation: Operation;
  readonly key: string;
}

/** What is kept of one target's outcome: never a credential. */
export type TargetRecord =
  | { readonly providerId: string; readonly state: 'created'; readonly entity: CreatedEntity }
  | { readonly providerId: string; readonly state: 'failed'; readonly failure: TargetFailure };

export type RecordStatus = 'SUCCEEDED' | 'PARTIAL' | 'FAILED';

export interface StoredRecord {
  readonly key: string;
  readonly operation: Operation;
  readonly state: 'in_progress' | 'completed';
  readonly createdAt: string;
  readonly completedAt?: string;
  /** Status and results of the last completed attempt (none while the first attempt runs). */
  readonly status?: RecordStatus;
  readonly results: readonly TargetRecord[];
}

export type ClaimResult =
  | {
      readonly kind: 'claimed';
      readonly owner: string;
      readonly createdAt: string;
      /** Results of an earlier completed attempt that left retryable failures. */
      readonly previous: readonly TargetRecord[];
      /** Providers a previous owner was working on when its lease expired: they may have been created. */
      readonly takenOverFrom: readonly string[];
    }
  | { readonly kind: 'completed'; readonly record: StoredRecord }
  | { readonly kind: 'in_progress'; readonly record: StoredRecord }
  | { readonly kind: 'reused' };

/** A natural-key guard: "this name on this provider instance is being / was created by that record". */
export interface GuardRef {
  readonly providerId: string;
  readonly naturalKey: string;
}

export interface Completion {
  readonly status: RecordStatus;
  readonly results: readonly TargetRecord[];
  /** Guards of targets that failed: released so another key may try. */
  readonly release: readonly GuardRef[];
  /** Guards of targets that succeeded: kept `ttlSeconds` from now. */
  readonly keep: readonly GuardRef[];
}

/**
 * The idempotency contract (DESIGN §6). Three calls per mutation at most:
 * claim, guard, complete. Every method either does what it says or throws
 * ServiceUnavailableError: a store that cannot answer fails closed.
 */
export interface IdempotencyStore {
  readonly kind: 'memory' | 'redis' | 'redis-cluster';
  claim(ref: RecordRef, fingerprint: string, targetIds: readonly string[]): Promise<ClaimResult>;
  /** For each guard, true when this record now holds it. */
  guard(ref: RecordRef, owner: string, guards: readonly GuardRef[]): Promise<boolean[]>;
  /** False when this owner lost the record (lease expired and someone took over). */
  complete(ref: RecordRef, owner: string, completion: Completion): Promise<boolean>;
  /** Gives back a claim that did no upstream work (shutdown, or failure before any call). */
  release(ref: RecordRef, owner: string, guards: readonly GuardRef[]): Promise<void>;
  get(refs: readonly RecordRef[]): Promise<Array<StoredRecord | null>>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface StoreTiming {
  readonly ttlSeconds: number;
  readonly leaseSeconds: number;
}
