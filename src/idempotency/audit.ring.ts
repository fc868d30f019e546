import type { AuditEvent, AuditPage, AuditQuery, AuditRetention } from '../domain';
import { readAuditPage, type AuditEntry } from './audit.cursor';

/** Which lane an event goes to: completions, or attempts the claim answered (and creates that called nothing). */
export type AuditLane = 'completion' | 'refusal';

/**
 * The memory store's audit trail, read like the Redis store's streams: two bounded rings (by count and by
 * age), completions in shard 0 and refused attempts in shard 1, so repeats cannot push out the events of the
 * accounts created (docs/idempotency.md). Ids as Redis makes them, from one clock for both.
 */
export class AuditRing {
  private readonly lanes: [AuditEntry[], AuditEntry[]] = [[], []];
  private lastMs = 0;
  private seq = 0;

  constructor(
    private readonly retention: AuditRetention,
    private readonly now: () => number = Date.now,
  ) {}

  append(event: AuditEvent, lane: AuditLane = 'completion'): void {
    const now = this.now();
    // Milliseconds, then a sequence within the millisecond.
    if (now > this.lastMs) {
      this.lastMs = now;
      this.seq = 0;
    } else this.seq++;
    const shard = lane === 'completion' ? 0 : 1;
    const entries = this.lanes[shard];
    entries.push({ ms: this.lastMs, seq: this.seq, shard, event });
    const oldest = now - this.retention.retentionSeconds * 1000;
    let drop = Math.max(0, entries.length - this.retention.maxEvents);
    while (drop < entries.length && entries[drop].ms < oldest) drop++;
    if (drop) entries.splice(0, drop);
  }

  get size(): number {
    return this.lanes[0].length + this.lanes[1].length;
  }

  page(query: AuditQuery): Promise<AuditPage> {
    return readAuditPage(
      2,
      async (requests, count) =>
        requests.map(({ shard, end }) => {
          const older = this.lanes[shard].filter((e) => !end || e.ms < end.ms || (e.ms === end.ms && (end.inclusive ? e.seq <= end.seq : e.seq < end.seq)));
          return older.slice(-count).reverse();
        }),
      query,
    );
  }
}
