import type {
  ClaimResult,
  Completion,
  CompleteOptions,
  GuardClaim,
  GuardOptions,
  GuardRef,
  IdempotencyStore,
  RecordRef,
  AuditEvent,
  AuditPage,
  AuditQuery,
  AuditRetention,
  CreateStatus,
  Inspection,
  StoredRecord,
  StoreTiming,
  TargetRecord,
} from '../domain';
import { heldGuard, retryAppendsAudit } from '../domain';
import { AuditRing } from './audit.ring';
import { guardId, newOwnerToken, recordId } from './record.keys';

interface MemRecord {
  fingerprint: string;
  state: 'in_progress' | 'completed';
  owner: string;
  leaseUntil: number;
  expiresAt: number;
  createdAt: string;
  completedAt?: string;
  status?: CreateStatus;
  retryable: boolean;
  pending: string[];
  /** A takeover's: the crashed attempt's pending targets, put back if the claim is given back. */
  prevPending?: string[];
  results: TargetRecord[];
}

interface MemGuard {
  record: string;
  owner: string;
  expiresAt: number;
  /** While its attempt may still be running (its lease); undefined once kept (created, or maybe created). */
  busyUntil?: number;
}

export interface MemoryStoreOptions extends StoreTiming {
  readonly audit: AuditRetention;
  /** At most this many records (and four times as many guards); least recently used completed ones go first. */
  readonly maxRecords: number;
  /** Expired entries are dropped this often, whether or not creates arrive. */
  readonly sweepIntervalMs?: number;
}

/**
 * Single-process store with the same semantics as the Redis one: used by the
 * embedded default and when no Redis is configured. JavaScript's single
 * thread makes each method atomic, as a Lua script is in Redis. Bounded:
 * expired entries are swept on a timer, and past `maxRecords` the least
 * recently used completed records are forgotten (Maps keep insertion order,
 * and a record used again is moved to the end).
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly kind = 'memory' as const;
  private readonly records = new Map<string, MemRecord>();
  private readonly guards = new Map<string, MemGuard>();
  private readonly sweeper: NodeJS.Timeout;
  private evicted = 0;
  private readonly audit: AuditRing;

  constructor(
    private readonly options: MemoryStoreOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.audit = new AuditRing(options.audit, now);
    this.sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 60_000);
    // The sweep is housekeeping: it must never keep a process alive on its own.
    this.sweeper.unref();
  }

  /** How many records and guards are held now, and how many records were evicted for space. */
  get size(): { records: number; guards: number; evicted: number } {
    return { records: this.records.size, guards: this.guards.size, evicted: this.evicted };
  }

  private get timing(): StoreTiming {
    return this.options;
  }

  async claim(ref: RecordRef, fingerprint: string, targetIds: readonly string[]): Promise<ClaimResult> {
    const id = recordId(ref);
    const now = this.now();
    const rec = this.live(id);
    const owner = newOwnerToken();
    if (!rec) {
      const createdAt = new Date(now).toISOString();
      this.records.set(id, {
        fingerprint,
        state: 'in_progress',
        owner,
        leaseUntil: now + this.timing.leaseSeconds * 1000,
        expiresAt: now + this.timing.ttlSeconds * 1000,
        createdAt,
        retryable: false,
        pending: [...targetIds],
        results: [],
      });
      this.bound();
      return { kind: 'claimed', owner, createdAt, previous: [], takenOverFrom: [] };
    }
    if (rec.fingerprint !== fingerprint) return { kind: 'reused' };
    if (rec.state === 'in_progress' && rec.leaseUntil > now) return { kind: 'in_progress', record: this.view(ref, rec) };
    if (rec.state === 'completed' && !rec.retryable) return { kind: 'completed', record: this.view(ref, rec) };
    const takenOverFrom = rec.state === 'in_progress' ? rec.pending : [];
    rec.prevPending = rec.state === 'in_progress' ? rec.pending : undefined;
    rec.state = 'in_progress';
    rec.owner = owner;
    rec.leaseUntil = now + this.timing.leaseSeconds * 1000;
    // Near the end of its life, at least twice the lease (as the CLAIM script): not to expire under this attempt.
    rec.expiresAt = Math.max(rec.expiresAt, now + 2 * this.timing.leaseSeconds * 1000);
    rec.pending = [...targetIds];
    return { kind: 'claimed', owner, createdAt: rec.createdAt, previous: rec.results, takenOverFrom };
  }

  /** As GUARD_CLAIM (docs/idempotency.md): busy while the holder's lease may run, kept after. */
  async guard(ref: RecordRef, owner: string, guards: readonly GuardRef[], options: GuardOptions = {}): Promise<GuardClaim[]> {
    const rid = recordId(ref);
    const now = this.now();
    return guards.map((g) => {
      const gid = guardId(ref.operation, g);
      const cur = this.guards.get(gid);
      const running = cur?.busyUntil !== undefined && cur.busyUntil > now;
      if (cur && cur.expiresAt > now && cur.record === rid && running && cur.owner !== owner && !options.leaseHeld) return 'attempt';
      if (cur && cur.expiresAt > now && (cur.record !== rid || (options.fresh && !running))) {
        return running ? 'busy' : cur.record !== rid ? false : 'earlier';
      }
      const retaken = cur !== undefined && cur.expiresAt > now && cur.record === rid;
      const kept = retaken && cur.busyUntil === undefined;
      this.guards.delete(gid);
      this.guards.set(gid, { record: rid, owner, expiresAt: now + this.timing.ttlSeconds * 1000, busyUntil: now + this.timing.leaseSeconds * 1000 });
      this.boundGuards();
      return kept ? 'retakenKept' : retaken ? 'retaken' : true;
    });
  }

  async complete(ref: RecordRef, owner: string, c: Completion, audit: AuditEvent, options: CompleteOptions = {}): Promise<boolean> {
    const rid = recordId(ref);
    const rec = this.live(rid);
    // As the Redis store: a retry of a completion that landed before counts as recorded, audited once.
    const landedBefore = options.retry === true && rec?.owner === owner && rec.state === 'completed';
    if (!options.retry || retryAppendsAudit(options.auditOnRetry, landedBefore)) this.audit.append(audit);
    if (landedBefore) return true;
    const now = this.now();
    for (const g of c.release) this.releaseGuard(ref, rid, owner, g);
    for (const g of c.keep) {
      const cur = this.guards.get(guardId(ref.operation, g));
      if (cur && cur.record === rid && cur.owner === owner) {
        cur.expiresAt = now + this.timing.ttlSeconds * 1000;
        cur.busyUntil = undefined;
      }
    }
    if (!rec || rec.owner !== owner || rec.state !== 'in_progress') return false;
    rec.state = 'completed';
    rec.status = c.status;
    rec.results = [...c.results];
    rec.retryable = c.results.some((r) => r.kind === 'failed' && r.failure.retryable);
    rec.completedAt = new Date(now).toISOString();
    rec.pending = [];
    rec.prevPending = undefined;
    return true;
  }

  async release(ref: RecordRef, owner: string): Promise<void> {
    const rid = recordId(ref);
    const rec = this.live(rid);
    if (!rec || rec.owner !== owner || rec.state !== 'in_progress') return;
    if (rec.prevPending) {
      rec.pending = rec.prevPending;
      rec.prevPending = undefined;
      rec.leaseUntil = 0;
    } else if (rec.completedAt) {
      rec.state = 'completed';
      rec.pending = [];
    } else {
      this.records.delete(rid);
    }
  }

  async get(refs: readonly RecordRef[]): Promise<Array<StoredRecord | null>> {
    return refs.map((ref) => {
      const rec = this.live(recordId(ref));
      return rec ? this.view(ref, rec) : null;
    });
  }

  async inspect(ref: RecordRef, fingerprint: string, guards: readonly GuardRef[]): Promise<Inspection> {
    const rid = recordId(ref);
    const now = this.now();
    // A plain read: no LRU move, no expiry deletion, nothing a plan could change.
    const found = this.records.get(rid);
    const rec = found && !gone(found, now) ? found : undefined;
    const record: Inspection['record'] = !rec
      ? 'none'
      : rec.fingerprint !== fingerprint
        ? 'reused'
        : rec.state === 'in_progress'
          ? rec.leaseUntil > now
            ? 'in_progress'
            : 'retryable'
          : rec.retryable
            ? 'retryable'
            : 'completed';
    return {
      record,
      previous: rec && record !== 'reused' ? rec.results : [],
      takenOverFrom: rec && record === 'retryable' && rec.state === 'in_progress' ? rec.pending : [],
      guards: guards.map((g) => {
        const cur = this.guards.get(guardId(ref.operation, g));
        if (!cur || cur.expiresAt <= now) return 'free';
        return heldGuard(cur.record === rid, cur.busyUntil, now);
      }),
    };
  }

  async appendAudit(event: AuditEvent): Promise<void> {
    this.audit.append(event, 'refusal');
  }

  auditEvents(query: AuditQuery): Promise<AuditPage> {
    return this.audit.page(query);
  }

  async ownsLease(ref: RecordRef, owner: string): Promise<boolean> {
    const rec = this.live(recordId(ref));
    return rec?.state === 'in_progress' && rec.owner === owner && rec.leaseUntil > this.now();
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.records.clear();
    this.guards.clear();
  }

  private releaseGuard(ref: RecordRef, rid: string, owner: string, g: GuardRef): void {
    const gid = guardId(ref.operation, g);
    const cur = this.guards.get(gid);
    if (cur && cur.record === rid && cur.owner === owner) this.guards.delete(gid);
  }

  private live(id: string): MemRecord | undefined {
    const rec = this.records.get(id);
    if (!rec) return undefined;
    this.records.delete(id);
    if (gone(rec, this.now())) return undefined;
    this.records.set(id, rec);
    return rec;
  }

  /**
   * Forgets the least recently used completed records past the bound. A
   * record in flight is never dropped: that would let a concurrent duplicate
   * through, and in-flight records are bounded by concurrency anyway.
   */
  private bound(): void {
    if (this.records.size <= this.options.maxRecords) return;
    for (const [k, r] of this.records) {
      if (this.records.size <= this.options.maxRecords) break;
      if (r.state === 'completed') {
        this.records.delete(k);
        this.evicted++;
      }
    }
  }

  private boundGuards(): void {
    const max = this.options.maxRecords * 4;
    if (this.guards.size <= max) return;
    const now = this.now();
    for (const [k, g] of this.guards) {
      if (this.guards.size <= max) break;
      const holder = this.records.get(g.record);
      if (g.expiresAt <= now || holder?.state !== 'in_progress') this.guards.delete(k);
    }
  }

  private view(ref: RecordRef, rec: MemRecord): StoredRecord {
    return {
      key: ref.key,
      operation: ref.operation,
      state: rec.state,
      createdAt: rec.createdAt,
      completedAt: rec.completedAt,
      status: rec.status,
      results: rec.results,
    };
  }

  private sweep(): void {
    const now = this.now();
    for (const [k, r] of this.records) if (gone(r, now)) this.records.delete(k);
    for (const [k, g] of this.guards) if (g.expiresAt <= now) this.guards.delete(k);
  }
}

/** Expired, and not held by an attempt that still has its lease (as the Redis CLAIM script: that attempt is running). */
function gone(rec: MemRecord, now: number): boolean {
  return rec.expiresAt <= now && !(rec.state === 'in_progress' && rec.leaseUntil > now);
}
