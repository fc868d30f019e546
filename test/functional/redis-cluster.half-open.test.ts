import { randomBytes } from 'node:crypto';
import calculateSlot from 'cluster-key-slot';
import { Cluster } from 'ioredis';
import { recordId } from '../../src/idempotency/record.keys';
import { clusterOptions, superviseRedisClient } from '../../src/idempotency/redis.client';
import { RedisIdempotencyStore } from '../../src/idempotency/redis.store';
import { capturedLogger } from '../helpers/captured.logger';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster';
import { CountingProxy } from '../helpers/tcp.proxy';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const COMMAND_TIMEOUT_MS = 300;

/**
 * One master's connection goes silent (open, nothing comes back) while a new
 * connection to it would work: the stuck node's connection is dropped and the
 * slot map refreshed, so the store recovers by itself.
 */
describe('Redis Cluster: a half-open connection to one master', () => {
  let cluster: RedisCluster;
  let proxies: CountingProxy[];
  let client: Cluster;
  let store: RedisIdempotencyStore;
  const log = capturedLogger();
  const prefix = `idgw-cho-${randomBytes(3).toString('hex')}:`;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    // Every node behind a proxy; natMap sends discovered nodes through them.
    proxies = await Promise.all(cluster.nodes.map((n) => new CountingProxy(n.port).start()));
    const natMap = Object.fromEntries(cluster.nodes.map((n, i) => [`127.0.0.1:${n.port}`, { host: '127.0.0.1', port: proxies[i].port }]));
    // The options createRedisClient gives a Cluster, plus natMap.
    const seed = `redis://127.0.0.1:${proxies[0].port}`;
    client = new Cluster([{ host: '127.0.0.1', port: proxies[0].port }], { ...clusterOptions([seed], COMMAND_TIMEOUT_MS), natMap });
    superviseRedisClient(client, { commandTimeoutMs: COMMAND_TIMEOUT_MS, logger: log.logger });
    store = new RedisIdempotencyStore(
      {
        ttlSeconds: 600,
        leaseSeconds: 30,
        cluster: { nodes: [] },
        keyPrefix: prefix,
        commandTimeoutMs: COMMAND_TIMEOUT_MS,
        audit: { retentionSeconds: 600, maxEvents: 100 },
      },
      client,
    );
    await store.ping();
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    for (const p of proxies ?? []) await p.stop();
    await cluster?.stop();
  });

  it('answers SERVICE_UNAVAILABLE for that master meanwhile, recovers within a few seconds, resends nothing, logs the node once lost and once back', async () => {
    const ref = { clientId: 'c', operation: 'createServiceAccount' as const, key: `k-${randomBytes(6).toString('hex')}` };
    const master = client.slots[calculateSlot(`${prefix}rec:{${recordId(ref)}}`)][0];
    const proxy = proxies.find((p, i) => master === `127.0.0.1:${p.port}` || master === `127.0.0.1:${cluster.nodes[i].port}`)!;
    // What reaches any node: a command sent again after its node connection closed goes to a random node first.
    let forwarded = '';
    for (const p of proxies) p.onForward = (d) => (forwarded += d.toString('latin1'));
    const fp = `fp-${randomBytes(8).toString('hex')}`;

    expect(proxy.stallCurrent()).toBeGreaterThanOrEqual(1);
    const stalledAt = Date.now();
    await expect(store.claim(ref, fp, ['hoop'])).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    await expect(store.ping()).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });

    let back: number | undefined;
    while (back === undefined && Date.now() - stalledAt < 10_000) {
      await sleep(100);
      back = await store.ping().then(
        () => Date.now(),
        () => undefined,
      );
    }
    expect(back).toBeDefined();
    // Every master answers its ping; the cluster client's own route to this one may take a moment longer on a
    // loaded machine. A read of the record's slot (it forwards no fingerprint) proves the route first.
    let routed = false;
    while (!routed && Date.now() - stalledAt < 10_000) {
      routed = await store.get([ref]).then(
        () => true,
        () => false,
      );
      if (!routed) await sleep(100);
    }
    expect(Date.now() - stalledAt).toBeLessThan(5000);
    expect((await store.claim(ref, fp, ['hoop'])).kind).toBe('claimed');
    expect(proxy.stalledOpen).toBe(0);

    await sleep(500);
    // The timed-out claim was not sent again (ioredis retries a command whose node connection closed, after retryDelayOnFailover).
    expect(forwarded.split(fp).length - 1).toBe(1);
    const warnings = log.lines().filter((l) => l.level >= 40);
    const lost = warnings.filter((l) => /^Redis connection lost/.test(l.msg));
    const recovered = warnings.filter((l) => /^Redis connection back/.test(l.msg));
    expect(lost).toHaveLength(1);
    expect(lost[0].redis).toBe(`node ${master}`);
    expect(lost[0].reason).toMatch(/no reply from Redis/);
    expect(recovered).toHaveLength(1);
    expect(recovered[0].redis).toBe(`node ${master}`);
    expect(warnings).toHaveLength(2);
  });

  it('a slot refresh that times out on a master whose own connection is up is no outage: nothing logged', async () => {
    await store.ping(); // every master's own connection is up
    const seen = log.lines().length;
    const masters = new Set(client.nodes('master').map((n) => `${n.options.host}:${n.options.port}`));
    const nodeErrors: string[] = [];
    const onNodeError = (_: unknown, key: string) => nodeErrors.push(key);
    client.on('node error', onNodeError);
    // Each refresh asks the nodes in random order, each on a new connection of its own: every node but one
    // replica is slow to answer a new connection (as on a loaded machine), so the refresh times out on masters
    // (slotsRefreshTimeout) before the replica answers it.
    const fast = proxies.find((p) => client.nodes('slave').some((n) => n.options.port === p.port))!;
    for (const p of proxies) p.newConnectionDelayMs = p === fast ? 0 : 2000;
    try {
      for (let i = 0; i < 20 && !nodeErrors.some((key) => masters.has(key)); i++) {
        await new Promise<void>((resolve) => client.refreshSlotsCache(() => resolve()));
      }
    } finally {
      for (const p of proxies) p.newConnectionDelayMs = 0;
      client.off('node error', onNodeError);
    }
    expect(nodeErrors.some((key) => masters.has(key))).toBe(true);
    await store.ping();
    expect(
      log
        .lines()
        .slice(seen)
        .filter((l) => l.level >= 40),
    ).toEqual([]);
  });
});
