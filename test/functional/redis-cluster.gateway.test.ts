import Redis from 'ioredis';
import { byProvider, CREATE_SA, CREATE_USER } from '../helpers/graphql.client';
import { onRedisCluster, startCluster, type Cluster } from '../helpers/cluster.harness';
import { startHarness, TEST_HMAC_KEY, uniqueName, type Harness } from '../helpers/gateway.harness';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster';
import { raceBehaviour } from '../shared/race.behaviour';

let redis: RedisCluster;
beforeAll(async () => {
  redis = await startRedisCluster();
}, 60_000);
afterAll(() => redis?.stop());

/** The design contract's rows of the idempotency table, through real HTTP, with the gateway on a Redis Cluster. */
describe('idempotency semantics on Redis Cluster', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ redis: true, configure: (c) => (c.redis = { cluster: { nodes: redis.urls.slice(0, 1) }, keyPrefix: c.redis!.keyPrefix }) });
  }, 30_000);
  afterAll(() => h?.close());
  beforeEach(() => h.sandboxes.reset());
  const calls = () => h.sandboxes.count();

  it('/readyz names the cluster store', async () => {
    // As an orchestrator would: the first slot-map fetch can miss its deadline (slotsRefreshTimeout) on a loaded
    // machine (the store then connects on its next try, and /readyz says 503 until it has): awaited, bounded.
    let ready = await fetch(h.url.replace('/graphql', '/readyz'));
    for (const until = Date.now() + 10_000; ready.status !== 200 && Date.now() < until;) {
      await new Promise((r) => setTimeout(r, 200));
      ready = await fetch(h.url.replace('/graphql', '/readyz'));
    }
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', store: 'redis-cluster' });
  });

  it('completed: the same create again is CONFLICT with the original outcome, no upstream call', async () => {
    const input = { name: uniqueName('cc'), idempotencyKey: `k-${uniqueName('k')}` };
    const first = await h.gql(CREATE_SA, { input });
    const payload = first.body.data.createServiceAccount;
    expect(payload.status).toBe('SUCCEEDED');
    expect(calls()).toBe(4);
    const again = await h.gql(CREATE_SA, { input });
    expect(again.body.errors[0].extensions).toMatchObject({
      code: 'CONFLICT',
      idempotencyKey: input.idempotencyKey,
      original: { status: 'SUCCEEDED', results: payload.results.map((r: any) => ({ providerId: r.provider.id, id: r.account.id })) },
    });
    expect(calls()).toBe(4);
  });

  it('in flight: CONFLICT with inProgress; different input under the key: IDEMPOTENCY_KEY_REUSED', async () => {
    const name = uniqueName('fl');
    h.sandboxes.hoop.inject({ delayMs: 1000 });
    const input = { name, providers: ['hoop'], idempotencyKey: `f-${name}` };
    const slow = h.gql(CREATE_SA, { input });
    while (h.sandboxes.hoop.arrived === 0) await new Promise((r) => setTimeout(r, 10));
    const during = await h.gql(CREATE_SA, { input });
    expect(during.body.errors[0].extensions).toMatchObject({ code: 'CONFLICT', inProgress: true });
    expect((await slow).body.data.createServiceAccount.status).toBe('SUCCEEDED');
    const reused = await h.gql(CREATE_SA, { input: { ...input, displayName: 'other' } });
    expect(reused.body.errors[0].extensions.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(h.sandboxes.hoop.count()).toBe(1);
  });

  it('retry after retryable failures re-runs only those targets; earlier successes replay', async () => {
    const name = uniqueName('rt');
    const input = { name, idempotencyKey: `rt-${name}` };
    h.sandboxes.versori.inject({ response: { status: 503, body: { message: 'down' } } });
    h.sandboxes.generic.inject({ response: { status: 503, text: 'down for maintenance' } });
    expect((await h.gql(CREATE_SA, { input })).body.data.createServiceAccount.status).toBe('PARTIAL');
    h.sandboxes.reset();
    const retry = await h.gql(CREATE_SA, { input });
    const r = byProvider(retry.body.data.createServiceAccount.results);
    expect(retry.body.data.createServiceAccount.status).toBe('SUCCEEDED');
    expect([h.sandboxes.hoop.count(), h.sandboxes.unleash.count(), h.sandboxes.versori.count(), h.sandboxes.generic.count()]).toEqual([0, 0, 1, 1]);
    expect(r.hoop).toMatchObject({ replayed: true, credentials: [] });
    expect(r.versori).toMatchObject({ replayed: false });
  });

  it('natural-key guard across keys: the same name on the same provider is CONFLICT without an upstream call', async () => {
    const name = uniqueName('g');
    await h.gql(CREATE_SA, { input: { name, providers: ['hoop', 'versori'], idempotencyKey: `g1-${name}` } });
    h.sandboxes.reset();
    const res = await h.gql(CREATE_SA, { input: { name, idempotencyKey: `g2-${name}` } });
    const r = byProvider(res.body.data.createServiceAccount.results);
    expect(r.hoop).toMatchObject({ code: 'CONFLICT', httpStatus: null });
    expect(r.versori).toMatchObject({ code: 'CONFLICT', httpStatus: null });
    expect(r.unleash.__typename).toBe('ServiceAccountCreated');
    expect(r.generic.__typename).toBe('ServiceAccountCreated');
    expect([h.sandboxes.hoop.count(), h.sandboxes.versori.count()]).toEqual([0, 0]);
  });

  it('keys spread over every master, each with a TTL; no secret in any key or value on any node', async () => {
    const password = 'Pa55word-never-in-the-cluster';
    const responses = [];
    for (let i = 0; i < 12; i++) responses.push(await h.gql(CREATE_SA, { input: { name: uniqueName('spread') } }));
    responses.push(await h.gql(CREATE_USER, { input: { email: `${uniqueName('u')}@example.com`, hoop: { password } } }));
    const secrets = [
      password,
      TEST_HMAC_KEY,
      ...Object.values(h.sandboxes.tokens),
      ...responses.flatMap((res) => Object.values(res.body.data).flatMap((p: any) => p.results.flatMap((r: any) => r.credentials.map((c: any) => c.secret)))),
    ];
    expect(secrets.length).toBeGreaterThan(20);
    const masters = await redis.masters();
    expect(masters).toHaveLength(3);
    const perMaster: number[] = [];
    for (const m of masters) {
      const r = new Redis(m.url);
      try {
        const keys: string[] = [];
        let cursor = '0';
        do {
          const [next, batch] = await r.scan(cursor, 'MATCH', `${h.keyPrefix}*`, 'COUNT', 1000);
          cursor = next;
          keys.push(...batch);
        } while (cursor !== '0');
        perMaster.push(keys.length);
        for (const key of keys) {
          // The node holds the key itself: it owns the key's slot.
          const type = await r.type(key);
          const value =
            type === 'hash'
              ? JSON.stringify(await r.hgetall(key))
              : type === 'stream'
                ? JSON.stringify(await r.xrange(key, '-', '+'))
                : String(await r.get(key));
          for (const s of secrets) {
            expect(key).not.toContain(s);
            expect(value).not.toContain(s);
          }
          const ttl = await r.pttl(key);
          expect(ttl).toBeGreaterThan(0);
          // Records and guards live ttlSeconds; the audit streams live their retention (30 days by default).
          expect(ttl).toBeLessThanOrEqual(type === 'stream' ? 30 * 86_400_000 : 86_400_000);
        }
      } finally {
        r.disconnect();
      }
    }
    // 13 creates: 13 records + 49 guards, over 16384 slots: every master holds some.
    for (const n of perMaster) expect(n).toBeGreaterThan(0);
  });
});

describe('three gateway processes racing on one Redis Cluster', () => {
  let c: Cluster;
  beforeAll(async () => {
    // A generous command timeout: this checks correctness under races, not how fast a dead master is noticed.
    const onCluster = onRedisCluster(redis, { seeds: 2, commandTimeoutMs: 2000 });
    c = await startCluster(3, (cfg) => {
      onCluster(cfg);
      // With a 2 s command timeout the shutdown grace must cover recording an outcome too (9 200 + 3 × 2 000 + 500 ms).
      cfg.server = { ...cfg.server, shutdownGraceMs: 20_000 };
    });
  }, 90_000);
  afterAll(() => c?.close());
  beforeEach(() => c.sandboxes.reset());

  it('every gateway runs on the cluster store', async () => {
    for (const n of c.nodes) expect(await (await fetch(n.url.replace('/graphql', '/readyz'))).json()).toMatchObject({ store: 'redis-cluster' });
  });

  raceBehaviour(() => c);
});
