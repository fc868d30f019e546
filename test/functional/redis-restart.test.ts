import { CREATE_SA } from '../helpers/graphql.client';
import { startHarness, uniqueName } from '../helpers/gateway.harness';
import { freePort } from '../helpers/redis.global-setup';
import { RedisProcess } from '../helpers/redis.process';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Redis restarted while creates keep coming', () => {
  it('fails closed during the outage (503), creates nothing twice, and recovers by itself', async () => {
    const redis = new RedisProcess(await freePort());
    await redis.start();
    const h = await startHarness({ redis: true, redisUrl: redis.url });
    const outcomes: Array<{ key: string; name: string; status: number; result: string; at: number }> = [];
    let phase: 'before' | 'down' | 'after' = 'before';
    let afterSuccesses = 0;
    const deadline = Date.now() + 20_000;
    try {
      // Four clients, each creating one account after another, bounded by count and time.
      const client = async () => {
        while (Date.now() < deadline && outcomes.length < 400 && !(phase === 'after' && afterSuccesses >= 20)) {
          const name = uniqueName('rr');
          const key = `${name}-key`;
          const res = await h.gql(CREATE_SA, { input: { name, providers: ['hoop'], idempotencyKey: key } });
          const result = res.body.data?.createServiceAccount?.status ?? res.body.errors?.[0]?.extensions?.code ?? 'none';
          outcomes.push({ key, name, status: res.status, result, at: Date.now() });
          if (phase === 'after' && result === 'SUCCEEDED') afterSuccesses++;
        }
      };
      const clients = Promise.all([client(), client(), client(), client()]);
      await sleep(500);
      await redis.stop();
      phase = 'down';
      await sleep(1500);
      await redis.start();
      phase = 'after';
      await clients;

      // Every answer is a success or a closed failure; nothing in between.
      const kinds = new Set(outcomes.map((o) => `${o.status} ${o.result}`));
      for (const k of kinds) expect(['200 SUCCEEDED', '503 SERVICE_UNAVAILABLE']).toContain(k);
      const unavailable = outcomes.filter((o) => o.result === 'SERVICE_UNAVAILABLE');
      const succeeded = outcomes.filter((o) => o.result === 'SUCCEEDED');
      expect(unavailable.length).toBeGreaterThan(0);
      expect(afterSuccesses).toBeGreaterThanOrEqual(20);
      // The provider saw exactly one create per success: none for the refused ones, none twice.
      const created = h.sandboxes.hoop
        .received('POST /serviceaccounts')
        .filter((c) => c.status === 201)
        .map((c) => (c.body as { name: string }).name);
      expect(created.length).toBe(succeeded.length);
      expect(new Set(created)).toEqual(new Set(succeeded.map((o) => o.name)));

      // A create refused during the outage is simply retried with its key.
      const retry = unavailable[0];
      const again = await h.gql(CREATE_SA, { input: { name: retry.name, providers: ['hoop'], idempotencyKey: retry.key } });
      expect(again.body.data.createServiceAccount.status).toBe('SUCCEEDED');
    } finally {
      await h.close();
      await redis.stop();
    }
  }, 60_000);
});
