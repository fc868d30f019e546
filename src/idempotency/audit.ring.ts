import type { AuditEvent, AuditPage, AuditQuery, AuditRetention } from '../domain';
import { readAuditPage, type AuditEntry } from './audit.cursor';

/** The memory store's audit trail: a bounded ring, by count and by age, read like one Redis stream. */
export class AuditRing {
  private readonly entries: AuditEntry[] = [];
  private lastMs = 0;
  private seq = 0;

  constructor(
    private readonly retention: AuditRetention,
    private readonly now: () => number = Date.now,
  ) {}

  append(event: AuditEvent): void {
    const now = this.now();
    // Ids as Redis makes them: milliseconds, then a sequence within the millisecond.
    if (now > this.lastMs) {
      this.lastMs = now;
      this.seq = 0;
    } else this.seq++;
    this.entries.push({ ms: this.lastMs, seq: this.seq, shard: 0, event });
    const oldest = now - this.retention.retentionSeconds * 1000;
    let drop = Math.max(0, this.entries.length - this.retention.maxEvents);
    while (drop < this.entries.length && this.entries[drop].ms < oldest) drop++;
    if (drop) this.entries.splice(0, drop);
  }

  get size(): number {
    return this.entries.length;
  }

  page(query: AuditQuery): Promise<AuditPage> {
    return readAuditPage(
      1,
      async ([{ end }], count) => {
        const older = this.entries.filter((e) => !end || e.ms < end.ms || (e.ms === end.ms && (end.inclusive ? e.seq <= end.seq : e.seq < end.seq)));
        return [older.slice(-count).reverse()];
      },
      query,
    );
  }
}
