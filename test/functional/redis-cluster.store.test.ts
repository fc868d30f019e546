import { AUDIT } from '../helpers/audit.fixture';
import { randomBytes } from 'node:crypto';
import calculateSlot from 'cluster-key-slot';
import Redis, { Cluster } from 'ioredis';
import type { GuardRef, RecordRef } from '../../src/domain';
import { groupByNode } from '../../src/idempotency/node.grouping';
import { guardId, recordId } from '../../src/idempotency/record.keys';
import { RedisIdempotencyStore } from '../../src/idempotency/redis.store';
import { claimed, describeStoreContract } from '../shared/idempotency-store.behaviour';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster';
import { CountingProxy } from '../helpers/tcp.proxy';

let cluster: RedisCluster;
beforeAll(async () => {
  cluster = await startRedisCluster();
}, 60_000);
afterAll(() => cluster?.stop());

const prefix = `idgw-cc-${randomBytes(3).toString('hex')}:`;
describeStoreContract(
  'redis cluster',
  (t) =>
    new RedisIdempotencyStore({
      ...t,
      cluster: { nodes: cluster.urls.slice(0, 2) },
      keyPrefix: prefix,
      commandTimeoutMs: 1000,
      audit: { retentionSeconds: 86400, maxEvents: 1000 },
    }),
  { repliesCanBeLost: true },
);

describe('grouping commands by node', () => {
  it("keeps each item's position and puts items of one node in one group, in first-seen order", () => {
    const owner: Record<string, string> = { a: 'n1', b: 'n2', c: 'n1', d: 'n3', e: 'n2' };
    expect(groupByNode(['a', 'b', 'c', 'd', 'e'], (k) => owner[k])).toEqual([
      { node: 'n1', indexes: [0, 2] },
      { node: 'n2', indexes: [1, 4] },
      { node: 'n3', indexes: [3] },
    ]);
    expect(groupByNode([], () => 'x')).toEqual([]);
  });
});

describe('Redis Cluster: one round trip per phase, whatever the width', () => {
  const DELAY = 200;
  let proxies: Map<string, CountingProxy>;
  let client: Cluster;
  let store: RedisIdempotencyStore;
  beforeAll(async () => {
    // Every node behind a proxy that delays each write: a phase that waited on one node before
    // asking the next would take a multiple of DELAY. natMap sends discovered nodes through them.
    proxies = new Map();
    for (const n of cluster.nodes) proxies.set(`127.0.0.1:${n.port}`, await new CountingProxy(n.port, '127.0.0.1', DELAY).start());
    const natMap = Object.fromEntries([...proxies].map(([addr, p]) => [addr, { host: '127.0.0.1', port: p.port }]));
    client = new Cluster([{ host: '127.0.0.1', port: [...proxies.values()][0].port }], {
      natMap,
      enableOfflineQueue: false,
      redisOptions: { commandTimeout: 5000, maxRetriesPerRequest: 1 },
    });
    store = new RedisIdempotencyStore(
      {
        ttlSeconds: 600,
        leaseSeconds: 30,
        cluster: { nodes: [] },
        keyPrefix: prefix,
        commandTimeoutMs: 5000,
        audit: { retentionSeconds: 86400, maxEvents: 1000 },
      },
      client,
    );
    await store.ping();
  }, 30_000);
  afterAll(async () => {
    await store?.close();
    for (const p of proxies?.values() ?? []) await p.stop();
  });

  const masterOf = (key: string) => client.slots[calculateSlot(key)][0];
  // The store's key names, used only to pick guards and records that land on every master.
  const guardKey = (g: GuardRef) => `${prefix}guard:{${guardId('createServiceAccount', g)}}`;
  /** Four guards (four providers, one name) that together land on all three masters. */
  const spreadGuards = (): GuardRef[] => {
    for (;;) {
      const name = `n-${randomBytes(4).toString('hex')}`;
      const guards = ['hoop', 'unleash', 'versori', 'generic'].map((providerId) => ({ providerId, naturalKey: name }));
      if (new Set(guards.map((g) => masterOf(guardKey(g)))).size === 3) return guards;
    }
  };
  const writes = () => [...proxies.values()].reduce((n, p) => n + p.clientWrites, 0);
  const timed = async <T>(fn: () => Promise<T>) => {
    for (const p of proxies.values()) p.reset();
    const started = Date.now();
    const value = await fn();
    return { value, ms: Date.now() - started, writes: writes(), perNode: [...proxies.values()].map((p) => p.clientWrites) };
  };
  const ref = (): RecordRef => ({ clientId: 'c', operation: 'createServiceAccount', key: randomBytes(6).toString('hex') });

  it('claim; four guards on three masters; complete: three sequential round trips, one write per node per phase', async () => {
    // Warm-up: loads the scripts on every master, outside the measurement.
    const w = ref();
    const wc = await claimed(store, w, 'fp', []);
    const wg = spreadGuards();
    await store.guard(w, wc.owner, wg);
    await store.complete(w, wc.owner, { status: 'SUCCEEDED', results: [], release: wg.slice(0, 2), keep: wg.slice(2) }, AUDIT);

    const r = ref();
    const guards = spreadGuards();
    expect(new Set(guards.map((g) => masterOf(guardKey(g)))).size).toBe(3);
    const claim = await timed(() => store.claim(r, 'fp', ['hoop', 'unleash', 'versori', 'generic']));
    if (claim.value.kind !== 'claimed') throw new Error('not claimed');
    const owner = claim.value.owner;
    const guard = await timed(() => store.guard(r, owner, guards));
    const complete = await timed(() => store.complete(r, owner, { status: 'PARTIAL', results: [], release: guards.slice(0, 2), keep: guards.slice(2) }, AUDIT));
    expect(guard.value).toEqual([true, true, true, true]);
    expect(complete.value).toBe(true);
    for (const phase of [claim, guard, complete]) {
      // One round trip: DELAY once, never twice (a sequential walk over three nodes is 3 × DELAY).
      expect(phase.ms).toBeGreaterThanOrEqual(DELAY - 5);
      expect(phase.ms).toBeLessThan(2 * DELAY);
      expect(Math.max(...phase.perNode)).toBe(1);
    }
    expect(claim.writes).toBe(1);
    expect(guard.writes).toBe(3);
    // The record's master plus the masters of the guards: all three.
    expect(complete.writes).toBe(3);
  });

  it('get of records on every master is one round trip', async () => {
    // Keys are hashes: draw until every master holds some, rather than hope twelve random ones spread.
    const refs: ReturnType<typeof ref>[] = [];
    const perMaster = new Map<string, number>();
    while (perMaster.size < 3 || Math.min(...perMaster.values()) < 2) {
      const r = ref();
      const m = masterOf(`${prefix}rec:{${recordId(r)}}`);
      if ((perMaster.get(m) ?? 0) >= 4) continue;
      perMaster.set(m, (perMaster.get(m) ?? 0) + 1);
      refs.push(r);
    }
    for (const r of refs) {
      await claimed(store, r, 'fp', []);
    }
    const recordMasters = new Set(refs.map((r) => masterOf(`${prefix}rec:{${recordId(r)}}`)));
    expect(recordMasters.size).toBe(3);
    const got = await timed(() => store.get(refs));
    expect(got.value.every((rec) => rec?.state === 'in_progress')).toBe(true);
    expect(got.ms).toBeLessThan(2 * DELAY);
    expect(got.writes).toBe(3);
  });
});

// Last in this file: it puts a password on the shared cluster.
describe('Redis Cluster with a password in the node URLs', () => {
  it('the password from the seed URL reaches every discovered node; without it the store is unavailable', async () => {
    const password = 'cl%uster pw';
    for (const n of cluster.nodes) {
      const r = new Redis(n.url);
      try {
        await r.config('SET', 'masterauth', password);
        await r.config('SET', 'requirepass', password);
      } finally {
        r.disconnect();
      }
    }
    const seed = `redis://:${encodeURIComponent(password)}@127.0.0.1:${cluster.nodes[0].port}`;
    const withPw = new RedisIdempotencyStore({
      ttlSeconds: 600,
      leaseSeconds: 30,
      cluster: { nodes: [seed] },
      keyPrefix: prefix,
      commandTimeoutMs: 1000,
      audit: { retentionSeconds: 86400, maxEvents: 1000 },
    });
    const without = new RedisIdempotencyStore({
      ttlSeconds: 600,
      leaseSeconds: 30,
      cluster: { nodes: [cluster.urls[0]] },
      keyPrefix: prefix,
      commandTimeoutMs: 1000,
      audit: { retentionSeconds: 86400, maxEvents: 1000 },
    });
    try {
      // Sixteen records: their slots reach every master, each a connection of its own.
      const refs = Array.from({ length: 16 }, (): RecordRef => ({ clientId: 'c', operation: 'createUser', key: randomBytes(6).toString('hex') }));
      for (const r of refs) expect((await withPw.claim(r, 'fp', [])).kind).toBe('claimed');
      await expect(withPw.ping()).resolves.toBeUndefined();
      await expect(without.claim(refs[0], 'fp', [])).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    } finally {
      await withPw.close();
      await without.close();
    }
  });
});
