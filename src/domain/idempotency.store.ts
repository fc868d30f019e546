import type { AuditEvent, AuditPage, AuditQuery } from './audit.event';
import type { TargetRecord } from './identity.outcome';
import type { Operation } from './operation.enum';
import type { CreateStatus } from './status.enum';

/** Who owns a key: idempotency keys are scoped per client and operation. */
export interface RecordRef {
  readonly clientId: string;
  readonly operation: Operation;
  readonly key: string;
}

export const RecordState = { IN_PROGRESS: 'in_progress', COMPLETED: 'completed' } as const;
export type RecordState = (typeof RecordState)[keyof typeof RecordState];

export interface StoredRecord {
  readonly key: string;
  readonly operation: Operation;
  readonly state: RecordState;
  readonly createdAt: string;
  readonly completedAt?: string;
  /** Status and results of the last completed attempt (none while the first attempt runs). */
  readonly status?: CreateStatus;
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

/**
 * What a guard claim found: held now by this record, taken free (true) or taken back from an earlier attempt
 * of this same record that held it, busy ('retaken': that attempt took it just before its call, so it may have
 * sent it and created the identity) or kept ('retakenKept': an attempt of this record decided the identity
 * exists or may, whatever the record says), kept by another (false: created, or maybe created), held by another attempt that may still
 * be running ('busy'), or kept by an earlier attempt of this same key whose record has expired ('earlier', a
 * `fresh` claim only: that identity exists, or may), or held by another attempt of this same record that may
 * still be running ('attempt': one of the two lost its lease, and taking the guard from a live attempt would
 * send the create twice).
 */
export type GuardClaim = true | 'retaken' | 'retakenKept' | false | 'busy' | 'earlier' | 'attempt';

/** Whether a claim left the guard held by this attempt (free or taken back). */
export function isHeld(claim: GuardClaim): claim is true | 'retaken' | 'retakenKept' {
  return claim === true || claim === 'retaken' || claim === 'retakenKept';
}

/** A natural-key guard: "this name on this provider instance is being / was created by that record". */
export interface GuardRef {
  readonly providerId: string;
  readonly naturalKey: string;
}

export interface Completion {
  readonly status: CreateStatus;
  readonly results: readonly TargetRecord[];
  /** Guards of targets that failed: released so another key may try. */
  readonly release: readonly GuardRef[];
  /** Guards of targets that succeeded: kept `ttlSeconds` from now. */
  readonly keep: readonly GuardRef[];
}

/**
 * The idempotency contract (docs/idempotency.md). Three calls per mutation at most:
 * claim, guard, complete. Every method either does what it says or throws
 * ServiceUnavailableError: a store that cannot answer fails closed.
 */
export interface GuardOptions {
  /**
   * Guards a crashed attempt of this record already held (a takeover's targets): if this phase fails they
   * are not given back, since that attempt may have created those identities. Default: none.
   */
  readonly keepOnFailure?: readonly GuardRef[];
  /**
   * The record was created by this claim (no earlier attempt, no takeover): a kept guard of its own id can
   * only be an expired earlier record's, whose identity exists; refused like another record's.
   */
  readonly fresh?: boolean;
  /**
   * The caller proved it holds the record's lease (ownsLease): a guard another owner of this record holds busy
   * is that of an attempt that lost the lease (stalled past it, or given back after a failed phase), and is taken.
   */
  readonly leaseHeld?: boolean;
}

export interface CompleteOptions {
  readonly retry?: boolean;
  /** On a retry: what the first try did with the audit event (from its error, partialCompletionOf). */
  readonly auditOnRetry?: AuditOnRetry;
}

/**
 * What a retry of a completion must do about its audit event: `landed` (the first try appended it: never
 * again), `missing` (the first try recorded the outcome but not the event, which lives on another Cluster
 * node, as far as its replies said), `unknown` (no reply said). For `missing` and `unknown` the Redis store
 * appends the event unless it finds the copy an earlier try appended though its reply was lost (a reply lost
 * is not a command lost); the memory store, whose tries lose no replies, unless COMPLETE says an earlier try
 * landed (retryAppendsAudit).
 */
export type AuditOnRetry = 'landed' | 'missing' | 'unknown';

/** Whether a completion's retry appends its audit event, given what the first try did and whether COMPLETE says an earlier try landed. */
export function retryAppendsAudit(auditOnRetry: AuditOnRetry = 'unknown', completedBefore: boolean): boolean {
  if (auditOnRetry === 'landed') return false;
  if (auditOnRetry === 'missing') return true;
  return !completedBefore;
}

/** What a completion that failed part-way (a Cluster node away) had done, as its store saw it. */
export interface PartialCompletion {
  readonly auditOnRetry: AuditOnRetry;
  /** COMPLETE itself landed: the outcome is recorded; guards or the audit event are what failed. */
  readonly recorded: boolean;
}

const PARTIAL_COMPLETION = Symbol('partialCompletion');

/** Marks the error a failed completion throws with what it did manage. */
export function withPartialCompletion<E extends object>(err: E, partial: PartialCompletion): E {
  Object.defineProperty(err, PARTIAL_COMPLETION, { value: partial, enumerable: false });
  return err;
}

export function partialCompletionOf(err: unknown): PartialCompletion | undefined {
  return err && typeof err === 'object' ? (err as { [PARTIAL_COMPLETION]?: PartialCompletion })[PARTIAL_COMPLETION] : undefined;
}

export interface IdempotencyStore {
  readonly kind: 'memory' | 'redis' | 'redis-cluster';
  claim(ref: RecordRef, fingerprint: string, targetIds: readonly string[]): Promise<ClaimResult>;
  /**
   * For each guard: true when this record now holds it; false when another record holds it and kept it (its
   * attempt created the identity); `'busy'` when another record's attempt holds it and has not finished (it
   * may still fail and give the name back).
   */
  guard(ref: RecordRef, owner: string, guards: readonly GuardRef[], options?: GuardOptions): Promise<GuardClaim[]>;
  /**
   * False when this owner lost the record (lease expired and someone took over).
   * The attempt's audit event is appended in the same round trip. `retry`: an
   * earlier try of this same completion may have landed (its reply lost): a
   * record this owner already completed counts as recorded, and the audit
   * event is appended only when this try changed the record or found it lost,
   * never a second time.
   */
  complete(ref: RecordRef, owner: string, completion: Completion, audit: AuditEvent, options?: CompleteOptions): Promise<boolean>;
  /**
   * Gives back a claim that did no upstream work (nothing to call, or a failure before any call), leaving
   * the record as the claim found it: for a takeover, in progress with the crashed attempt's targets still
   * pending (so the next takeover still says they may have been created); completed if an earlier attempt
   * completed it; gone if it was fresh. The store remembers which: a give-back after a claim that timed out
   * cannot know.
   */
  release(ref: RecordRef, owner: string): Promise<void>;
  /**
   * Appends the audit event of an attempt the claim answered (CONFLICT, IN_PROGRESS, REUSED) or that called
   * nothing. A rejection says this try failed; the store may still try again in the background (at least once).
   */
  appendAudit(event: AuditEvent): Promise<void>;
  /** Newest first, filtered, cursor-paginated. */
  auditEvents(query: AuditQuery): Promise<AuditPage>;
  get(refs: readonly RecordRef[]): Promise<Array<StoredRecord | null>>;
  /** Reads, never writes: one round trip, no key created, no TTL touched. */
  inspect(ref: RecordRef, fingerprint: string, guards: readonly GuardRef[]): Promise<Inspection>;
  /** Whether this owner holds the record's lease now (asked only when a guard claim answered 'attempt'). */
  ownsLease(ref: RecordRef, owner: string): Promise<boolean>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type GuardInspection = 'free' | 'mine' | 'mine_stale' | 'mine_kept' | 'other' | 'other_busy';

/**
 * A guard held now, as both stores read it for a plan: this record's or another's, and `busyUntil` its busy
 * mark (undefined: kept). This record's busy guard whose time has passed ('mine_stale': its attempt ended
 * without releasing or keeping it) is taken back as a busy one (GUARD_CLAIM `5`), not as a kept one (`6`).
 */
export function heldGuard(mine: boolean, busyUntil: number | undefined, now: number): GuardInspection {
  const running = busyUntil !== undefined && busyUntil > now;
  if (!mine) return running ? 'other_busy' : 'other';
  if (running) return 'mine';
  return busyUntil === undefined ? 'mine_kept' : 'mine_stale';
}

/** What GUARD_CLAIM would answer for a guard a plan saw (docs/idempotency.md): `fresh` as GuardOptions. */
export function wouldClaim(seen: GuardInspection, fresh: boolean): GuardClaim {
  if (seen === 'other') return false;
  if (seen === 'other_busy') return 'busy';
  if (seen === 'free') return true;
  if (seen === 'mine') return 'retaken';
  if (fresh) return 'earlier';
  return seen === 'mine_stale' ? 'retaken' : 'retakenKept';
}

/** What the store holds for a create, read without writing anything (for a plan). */
export interface Inspection {
  readonly record: 'none' | 'reused' | 'in_progress' | 'completed' | 'retryable';
  /** Results of the last completed attempt, when there is one. */
  readonly previous: readonly TargetRecord[];
  /**
   * Per guard asked about, as GUARD_CLAIM would find it: free; this record's, its attempt running ('mine'),
   * left busy by an attempt that ended without releasing or keeping it ('mine_stale') or kept ('mine_kept');
   * a create of a record that no longer exists is refused either, as `fresh`; another record's, kept
   * ('other') or its attempt running ('other_busy').
   */
  readonly guards: ReadonlyArray<GuardInspection>;
  /**
   * What a claim's `takenOverFrom` would be: the targets of an in-progress record whose lease is over (its
   * attempt died, or stalled), which that attempt may have called; empty otherwise.
   */
  readonly takenOverFrom: readonly string[];
}

export interface StoreTiming {
  readonly ttlSeconds: number;
  readonly leaseSeconds: number;
}

/** How long audit events are kept, by age and by count (both approximate on Redis). */
export interface AuditRetention {
  readonly retentionSeconds: number;
  readonly maxEvents: number;
}
