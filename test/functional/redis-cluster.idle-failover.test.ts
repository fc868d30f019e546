import { CREATE_SA, gql } from '../helpers/graphql.client';
import { onRedisCluster, startCluster, type Cluster } from '../helpers/cluster.harness';
import { uniqueName } from '../helpers/gateway.harness';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster';
import { SLOTS_REFRESH_INTERVAL_MS } from '../../src/idempotency/redis.client';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const readyz = (url: string) =>
  fetch(url.replace('/graphql', '/readyz'))
    .then((r) => r.status)
    .catch(() => 0);

/**
 * A gateway that gets no traffic while a master fails has no MOVED and no failed command to make ioredis
 * look at the topology again: it kept the dead master's slots, and /readyz 503, until a restart.
 */
describe('Redis Cluster failover with no traffic (a master SIGKILLed while the gateways are idle)', () => {
  let redis: RedisCluster;
  let c: Cluster;
  beforeAll(async () => {
    redis = await startRedisCluster();
    c = await startCluster(2, onRedisCluster(redis));
  }, 90_000);
  afterAll(async () => {
    await c?.close();
    await redis?.stop();
  });

  it('every gateway finds the promoted replica on its own: ready again, its first create served, the loss logged', async () => {
    for (const { url } of c.nodes) expect(await readyz(url)).toBe(200);
    const [victim] = await redis.masters();
    const victimKey = `node 127.0.0.1:${victim.port}`;
    await redis.kill(victim);
    await redis.waitHealthy(20_000, 3);

    // The first gateway is probed as an orchestrator would; the second gets nothing at all until its first create.
    let ready = 0;
    for (const until = Date.now() + SLOTS_REFRESH_INTERVAL_MS + 10_000; ready !== 200 && Date.now() < until; await sleep(500)) {
      ready = await readyz(c.nodes[0].url);
    }
    expect(ready).toBe(200);
    await sleep(SLOTS_REFRESH_INTERVAL_MS + 2000);
    const first = await gql(c.nodes[1].url, CREATE_SA, { input: { name: uniqueName('idle') } });
    expect([first.status, first.body.data?.createServiceAccount?.status]).toEqual([200, 'SUCCEEDED']);
    expect(await readyz(c.nodes[1].url)).toBe(200);

    // Each gateway said the master was lost, and then that it left the cluster (its replica serves its slots).
    for (const { proc } of c.nodes) {
      const lines = proc
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { redis?: string; msg: string })
        .filter((l) => l.redis === victimKey)
        .map((l) => l.msg);
      expect(lines).toEqual([expect.stringMatching(/^Redis connection lost/), expect.stringMatching(/^Redis node left the cluster/)]);
    }
  }, 90_000);
});
