import { AUDIT } from '../helpers/audit.fixture';
import { MemoryIdempotencyStore } from '../../src/idempotency/memory.store';

const timing = { ttlSeconds: 3600, leaseSeconds: 30 };
const ref = (key: string) => ({ clientId: 'c', operation: 'createServiceAccount' as const, key });
const done = { status: 'SUCCEEDED' as const, results: [], release: [], keep: [] };

describe('the in-memory store is bounded', () => {
  it('keeps at most maxRecords records, forgetting the least recently used completed ones first', async () => {
    const store = new MemoryIdempotencyStore({ ...timing, maxRecords: 100, audit: { retentionSeconds: 86400, maxEvents: 1000 } });
    for (let i = 0; i < 1000; i++) {
      const claim = await store.claim(ref(`k${i}`), 'fp', ['p']);
      if (claim.kind !== 'claimed') throw new Error(claim.kind);
      await store.complete(ref(`k${i}`), claim.owner, done, AUDIT);
      // k0 is used again and again: it stays.
      await store.get([ref('k0')]);
    }
    expect(store.size.records).toBe(100);
    expect(store.size.evicted).toBe(900);
    expect((await store.get([ref('k0')]))[0]?.state).toBe('completed');
    expect((await store.get([ref('k1')]))[0]).toBeNull();
    expect((await store.get([ref('k999')]))[0]?.state).toBe('completed');
    await store.close();
  });

  it('never forgets a record in flight, even past the bound', async () => {
    const store = new MemoryIdempotencyStore({ ...timing, maxRecords: 100, audit: { retentionSeconds: 86400, maxEvents: 1000 } });
    for (let i = 0; i < 150; i++) await store.claim(ref(`f${i}`), 'fp', ['p']);
    expect(store.size.records).toBe(150);
    expect((await store.claim(ref('f0'), 'fp', ['p'])).kind).toBe('in_progress');
    await store.close();
  });

  it('sweeps expired entries on a timer that does not keep the process alive', async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore(
      { ...timing, maxRecords: 100, sweepIntervalMs: 20, audit: { retentionSeconds: 86400, maxEvents: 1000 } },
      () => now,
    );
    const claim = await store.claim(ref('old'), 'fp', ['p']);
    if (claim.kind !== 'claimed') throw new Error(claim.kind);
    await store.guard(ref('old'), claim.owner, [{ providerId: 'p', naturalKey: 'n' }]);
    await store.complete(ref('old'), claim.owner, { ...done, keep: [{ providerId: 'p', naturalKey: 'n' }] }, AUDIT);
    expect(store.size).toMatchObject({ records: 1, guards: 1 });
    expect((store as unknown as { sweeper: NodeJS.Timeout }).sweeper.hasRef()).toBe(false);
    now = timing.ttlSeconds * 1000 + 1;
    await new Promise((r) => setTimeout(r, 60));
    expect(store.size).toMatchObject({ records: 0, guards: 0 });
    await store.close();
  });
});
