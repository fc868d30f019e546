import Redis from 'ioredis';
import { startHarness, type Harness } from '../helpers/gateway.harness';
import { freePort } from '../helpers/redis.global-setup';
import { RedisProcess } from '../helpers/redis.process';

const EVICTING = /Redis maxmemory-policy is allkeys-lru: .* set maxmemory-policy noeviction/;

describe('a Redis that may evict the idempotency keys', () => {
  let redis: RedisProcess;
  let h: Harness | undefined;
  beforeAll(async () => {
    redis = new RedisProcess(await freePort());
    await redis.start();
  });
  afterAll(async () => {
    await h?.close();
    await redis.stop();
  });

  it('is named in a warning at connection (every key has a TTL: any policy but noeviction can drop a lease or a guard)', async () => {
    const admin = new Redis(redis.url);
    await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
    admin.disconnect();
    h = await startHarness({ redis: true, redisUrl: redis.url });
    let line: string | undefined;
    for (let i = 0; i < 50 && !line; i++) {
      line = h
        .logs()
        .split('\n')
        .find((l) => EVICTING.test(l));
      if (!line) await new Promise((r) => setTimeout(r, 50));
    }
    expect(JSON.parse(line!)).toMatchObject({ level: 40, maxmemoryPolicy: 'allkeys-lru', redis: `127.0.0.1:${redis.port}` });
  });

  it('says nothing of the kind with noeviction (the default)', async () => {
    await h?.close();
    const admin = new Redis(redis.url);
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    admin.disconnect();
    h = await startHarness({ redis: true, redisUrl: redis.url });
    await h.gql('{ providers { id } }');
    await new Promise((r) => setTimeout(r, 300));
    expect(h.logs()).not.toMatch(/maxmemory-policy/);
  });
});
