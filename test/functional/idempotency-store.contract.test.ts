import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import calculateSlot from 'cluster-key-slot';
import type { RecordRef } from '../../src/domain';
import { MemoryIdempotencyStore } from '../../src/idempotency/memory.store';
import { RedisIdempotencyStore } from '../../src/idempotency/redis.store';
import { claimed, describeStoreContract } from '../shared/idempotency-store.behaviour';

const prefix = `idgw-contract-${randomBytes(3).toString('hex')}:`;

// The cluster-backed run is in redis-cluster.store.test.ts, which starts its own cluster.
describeStoreContract('memory', (t) => new MemoryIdempotencyStore({ ...t, maxRecords: 1000, audit: { retentionSeconds: 86400, maxEvents: 1000 } }));
describeStoreContract(
  'redis',
  (t) =>
    new RedisIdempotencyStore({
      ...t,
      url: process.env.REDIS_URL!,
      keyPrefix: prefix,
      commandTimeoutMs: 1000,
      audit: { retentionSeconds: 86400, maxEvents: 1000 },
    }),
  { repliesCanBeLost: true },
);

describe('Redis key layout', () => {
  it('a record and its lease share one cluster hash slot; names carry the prefix and no client input', async () => {
    const s = new RedisIdempotencyStore({
      ttlSeconds: 600,
      leaseSeconds: 30,
      url: process.env.REDIS_URL!,
      keyPrefix: prefix,
      commandTimeoutMs: 1000,
      audit: { retentionSeconds: 86400, maxEvents: 1000 },
    });
    const redis = new Redis(process.env.REDIS_URL!);
    try {
      const r: RecordRef = { clientId: 'client-a', operation: 'createUser', key: `visible-key-${randomBytes(3).toString('hex')}` };
      const c = await claimed(s, r, 'fp', []);
      await s.guard(r, c.owner, [{ providerId: 'hoop', naturalKey: 'ada@example.com' }]);
      const keys = await redis.keys(`${prefix}*`);
      const mine = keys.filter((k) => k.includes('rec:') || k.includes('guard:'));
      expect(mine.length).toBeGreaterThanOrEqual(3);
      for (const k of keys) {
        expect(k.startsWith(prefix)).toBe(true);
        expect(k).not.toContain(r.key);
        expect(k).not.toContain('ada@example.com');
      }
      const rec = keys.find((k) => k.endsWith('}') && k.includes(`rec:`) && keys.includes(`${k}:lease`))!;
      expect(rec).toBeDefined();
      expect(calculateSlot(rec)).toBe(calculateSlot(`${rec}:lease`));
    } finally {
      await s.close();
      redis.disconnect();
    }
  });

  it("a guard written by an earlier version (recordId|owner, no busy mark) is another record's kept guard: refused for good", async () => {
    const s = new RedisIdempotencyStore({
      ttlSeconds: 600,
      leaseSeconds: 30,
      url: process.env.REDIS_URL!,
      keyPrefix: `${prefix}legacy-${randomBytes(3).toString('hex')}:`,
      commandTimeoutMs: 1000,
      audit: { retentionSeconds: 86400, maxEvents: 1000 },
    });
    const redis = new Redis(process.env.REDIS_URL!);
    try {
      const g = { providerId: 'hoop', naturalKey: `legacy-${randomBytes(3).toString('hex')}` };
      const a: RecordRef = { clientId: 'client-a', operation: 'createServiceAccount', key: 'a' };
      const ca = await claimed(s, a, 'fa', ['hoop']);
      expect(await s.guard(a, ca.owner, [g])).toEqual([true]);
      const [guardKey] = (await redis.keys(`${s['options'].keyPrefix}*guard:*`)) as string[];
      const value = (await redis.get(guardKey))!;
      expect(value).toMatch(/\|busy:\d+$/);
      await redis.set(guardKey, value.replace(/\|busy:\d+$/, ''), 'KEEPTTL');
      const b: RecordRef = { clientId: 'client-a', operation: 'createServiceAccount', key: 'b' };
      const cb = await claimed(s, b, 'fb', ['hoop']);
      expect(await s.guard(b, cb.owner, [g])).toEqual([false]);
    } finally {
      await s.close();
      redis.disconnect();
    }
  });
});
