import type {
  GuardClaim,
  GuardOptions,
  AuditEvent,
  AuditPage,
  AuditQuery,
  ClaimResult,
  CompleteOptions,
  Completion,
  GuardRef,
  IdempotencyStore,
  Inspection,
  RecordRef,
  StoredRecord,
} from '../../src/domain';
import { MemoryIdempotencyStore } from '../../src/idempotency/memory.store';

/**
 * The real in-memory store, with every call written down: the identity
 * service's use of the protocol (what it guards, keeps, releases) is visible
 * without changing what the store does.
 */
export class RecordingStore implements IdempotencyStore {
  readonly kind = 'memory' as const;
  readonly inner: MemoryIdempotencyStore;
  readonly claims: Array<{ ref: RecordRef; targetIds: readonly string[] }> = [];
  readonly guards: GuardRef[][] = [];
  readonly completions: Completion[] = [];
  readonly releases: RecordRef[] = [];
  /** Set to make the next call of that method throw; 'guard-landed': the guard claims land, then the call fails (a reply lost). */
  failNext?: 'guard' | 'guard-landed' | 'complete';

  constructor(now: () => number = Date.now) {
    this.inner = new MemoryIdempotencyStore({ ttlSeconds: 3600, leaseSeconds: 30, maxRecords: 1000, audit: { retentionSeconds: 86400, maxEvents: 1000 } }, now);
  }

  async claim(ref: RecordRef, fingerprint: string, targetIds: readonly string[]): Promise<ClaimResult> {
    this.claims.push({ ref, targetIds });
    return this.inner.claim(ref, fingerprint, targetIds);
  }

  readonly guardOptions: GuardOptions[] = [];

  async guard(ref: RecordRef, owner: string, guards: readonly GuardRef[], options: GuardOptions = {}): Promise<GuardClaim[]> {
    this.guards.push([...guards]);
    this.guardOptions.push(options);
    this.maybeFail('guard');
    if (this.failNext === 'guard-landed') {
      this.failNext = undefined;
      await this.inner.guard(ref, owner, guards, options);
      throw new Error('store guard failed after its claims landed');
    }
    return this.inner.guard(ref, owner, guards, options);
  }

  readonly audits: AuditEvent[] = [];

  async complete(ref: RecordRef, owner: string, completion: Completion, audit: AuditEvent, options?: CompleteOptions): Promise<boolean> {
    this.completions.push(completion);
    this.audits.push(audit);
    this.maybeFail('complete');
    return this.inner.complete(ref, owner, completion, audit, options);
  }

  async appendAudit(event: AuditEvent): Promise<void> {
    this.audits.push(event);
    return this.inner.appendAudit(event);
  }

  auditEvents(query: AuditQuery): Promise<AuditPage> {
    return this.inner.auditEvents(query);
  }

  async release(ref: RecordRef, owner: string): Promise<void> {
    this.releases.push(ref);
    return this.inner.release(ref, owner);
  }

  async get(refs: readonly RecordRef[]): Promise<Array<StoredRecord | null>> {
    return this.inner.get(refs);
  }

  async inspect(ref: RecordRef, fingerprint: string, guards: readonly GuardRef[]): Promise<Inspection> {
    return this.inner.inspect(ref, fingerprint, guards);
  }

  async ownsLease(ref: RecordRef, owner: string): Promise<boolean> {
    return this.inner.ownsLease(ref, owner);
  }

  async ping(): Promise<void> {
    return this.inner.ping();
  }

  async close(): Promise<void> {
    return this.inner.close();
  }

  private maybeFail(method: 'guard' | 'complete'): void {
    if (this.failNext !== method) return;
    this.failNext = undefined;
    throw new Error(`store ${method} failed`);
  }
}
