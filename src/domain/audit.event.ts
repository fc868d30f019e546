import type { Operation } from './operation.enum';

/** The result of one create attempt that reached the store: a create status, or why it was refused. */
export const AuditStatus = {
  SUCCEEDED: 'SUCCEEDED',
  PARTIAL: 'PARTIAL',
  FAILED: 'FAILED',
  CONFLICT: 'CONFLICT',
  IN_PROGRESS: 'IN_PROGRESS',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
} as const;
export type AuditStatus = (typeof AuditStatus)[keyof typeof AuditStatus];

export const AuditTargetResult = { CREATED: 'CREATED', REPLAYED: 'REPLAYED', FAILED: 'FAILED' } as const;
export type AuditTargetResult = (typeof AuditTargetResult)[keyof typeof AuditTargetResult];

export interface AuditTarget {
  readonly providerId: string;
  readonly result: AuditTargetResult;
  /** The provider's id of what was created (or replayed). */
  readonly id?: string;
  /** The failure code, when not created. */
  readonly code?: string;
  /** The provider's HTTP status of a failure, when it answered. */
  readonly httpStatus?: number;
  /** The provider's id of the failed request, when it gave one (for its support). */
  readonly upstreamRequestId?: string;
}

/**
 * Who created what, where and when. Never a secret: no credential, password
 * or token, and the idempotency key only as sent or as its derived HMAC.
 */
export interface AuditEvent {
  readonly at: string;
  readonly requestId: string;
  readonly clientId: string;
  readonly operation: Operation;
  readonly idempotencyKey: string;
  readonly status: AuditStatus;
  readonly targets: readonly AuditTarget[];
}

/** An event as read back: with its opaque, ordered cursor. */
export interface StoredAuditEvent extends AuditEvent {
  readonly cursor: string;
}

export interface AuditFilter {
  readonly clientId?: string;
  readonly operation?: Operation;
  readonly providerId?: string;
  readonly status?: AuditStatus;
  /** Inclusive bounds, ISO date-times. */
  readonly since?: string;
  readonly until?: string;
}

export interface AuditQuery {
  /** Newest first: at most this many events after `after`. */
  readonly first: number;
  readonly after?: string;
  readonly filter: AuditFilter;
}

export interface AuditPage {
  readonly events: readonly StoredAuditEvent[];
  readonly hasNextPage: boolean;
  /** Where the next page starts: the last event's cursor, or how far a selective filter scanned. */
  readonly endCursor?: string;
}

/**
 * An audit cursor: `<ms>-<seq>:<shard>`, a stream entry id and the shard it
 * lives in (audit events are ordered by both; see idempotency/audit.cursor.ts).
 */
export const AUDIT_CURSOR = /^(\d{1,16})-(\d{1,16}):(\d{1,3})$/;

export function isAuditCursor(cursor: string): boolean {
  return AUDIT_CURSOR.test(cursor);
}

export function matchesAudit(e: AuditEvent, f: AuditFilter): boolean {
  return (
    (f.clientId === undefined || e.clientId === f.clientId) &&
    (f.operation === undefined || e.operation === f.operation) &&
    (f.status === undefined || e.status === f.status) &&
    (f.providerId === undefined || e.targets.some((t) => t.providerId === f.providerId)) &&
    (f.since === undefined || e.at >= f.since) &&
    (f.until === undefined || e.at <= f.until)
  );
}
