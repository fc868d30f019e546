import { IdentityOperation, matchesAudit, type AuditEvent, type AuditQuery } from '../../src/domain';
import { AUDIT_ID_AFTER_AT_MS, AUDIT_ID_BEFORE_AT_MS, readAuditPage, type AuditEntry, type ShardReads } from '../../src/idempotency/audit.cursor';
import { COMPLETION_RETRY_HORIZON_MS } from '../../src/identity/completion.retrier';

const T0 = Date.UTC(2026, 11, 1);
const MINUTE = 60_000;

/** Newest-first shards read like Redis streams, counting every entry handed out. */
function shardsOf(entries: AuditEntry[], shards: number): { read: ShardReads; handedOut: () => number } {
  const byShard = Array.from({ length: shards }, (_, s) => entries.filter((e) => e.shard === s).sort((a, b) => a.ms - b.ms || a.seq - b.seq));
  let handedOut = 0;
  const read: ShardReads = async (requests, count) =>
    requests.map(({ shard, end }) => {
      const older = byShard[shard].filter((e) => !end || e.ms < end.ms || (e.ms === end.ms && (end.inclusive ? e.seq <= end.seq : e.seq < end.seq)));
      const batch = older.slice(-count).reverse();
      handedOut += batch.length;
      return batch;
    });
  return { read, handedOut: () => handedOut };
}

/** One event a second over `count` seconds from T0, on three shards; its entry appended `lagMs` after its `at`. */
function trail(count: number, lagMs: (i: number) => number = () => 5): AuditEntry[] {
  return Array.from({ length: count }, (_, i) => {
    const at = T0 + i * 1000;
    const event: AuditEvent = {
      at: new Date(at).toISOString(),
      requestId: `r${i}`,
      clientId: i % 2 ? 'alice' : 'bob',
      operation: IdentityOperation.CREATE_SERVICE_ACCOUNT,
      idempotencyKey: `k${i}`,
      status: 'SUCCEEDED',
      targets: [],
    };
    return { ms: at + lagMs(i), seq: 0, shard: i % 3, event };
  });
}

async function allPages(read: ShardReads, query: Omit<AuditQuery, 'after'>): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await readAuditPage(3, read, { ...query, after });
    ids.push(...page.events.map((e) => e.requestId));
    if (!page.hasNextPage) return ids;
    after = page.endCursor;
  }
}

describe('an audit page filtered by time reads only the entries that can match', () => {
  const entries = trail(30_000); // a bit over eight hours, one a second
  const expected = (filter: AuditQuery['filter']) =>
    entries
      .filter((e) => matchesAudit(e.event, filter))
      .sort((a, b) => b.ms - a.ms || b.shard - a.shard)
      .map((e) => e.event.requestId);

  it('`since`: every event from then on, and a page that finds none stops a batch past its margin instead of scanning 20 000', async () => {
    const since = new Date(T0 + 29_000 * 1000 - 60 * MINUTE).toISOString();
    expect(await allPages(shardsOf(entries, 3).read, { first: 100, filter: { since } })).toEqual(expected({ since }));
    const { read, handedOut } = shardsOf(entries, 3);
    expect(await readAuditPage(3, read, { first: 100, filter: { clientId: 'nobody', since } })).toMatchObject({ events: [], hasNextPage: false });
    // The entries since then and the minute of clock margin before it, and at most one batch (200) per shard beyond.
    const reachable = entries.filter((e) => e.ms >= Date.parse(since) - AUDIT_ID_BEFORE_AT_MS).length;
    expect(reachable).toBeLessThan(6_000);
    expect(handedOut()).toBeLessThanOrEqual(reachable + 3 * 200);
  });

  it('`until`: every event up to then, and nothing appended after it and its margin is read', async () => {
    const until = new Date(T0 + 60 * MINUTE).toISOString();
    const filter = { clientId: 'alice', until };
    expect(await allPages(shardsOf(entries, 3).read, { first: 100, filter })).toEqual(expected(filter));
    const { read, handedOut } = shardsOf(entries, 3);
    expect(await readAuditPage(3, read, { first: 100, filter: { clientId: 'nobody', until } })).toMatchObject({ events: [], hasNextPage: false });
    expect(handedOut()).toBeLessThanOrEqual(3_601 + AUDIT_ID_AFTER_AT_MS / 1000 + 3);
  });

  it('an event appended late (a completion tried again for minutes) is still found by `until`', async () => {
    expect(AUDIT_ID_AFTER_AT_MS).toBeGreaterThan(COMPLETION_RETRY_HORIZON_MS + MINUTE);
    const late = trail(3_000, (i) => (i === 100 ? COMPLETION_RETRY_HORIZON_MS + 30_000 : 5));
    const { read } = shardsOf(late, 3);
    const filter = { until: new Date(T0 + 100 * 1000).toISOString() };
    const ids = await allPages(read, { first: 50, filter });
    expect(ids).toContain('r100');
    expect(ids).toHaveLength(101);
  });

  it('a range before the trail, or before 1970, reads nothing and says there is no more', async () => {
    const { read, handedOut } = shardsOf(entries, 3);
    for (const until of ['2020-01-01T00:00:00.000Z', '1960-01-01T00:00:00.000Z']) {
      const page = await readAuditPage(3, read, { first: 10, filter: { until } });
      expect(page).toEqual({ events: [], hasNextPage: false, endCursor: undefined });
    }
    expect(handedOut()).toBe(0);
  });
});
