import type Redis from 'ioredis';
import { CREATE_SA } from '../helpers/graphql.client';
import { redisHarnessForBlock, uniqueName, type Harness } from '../helpers/gateway.harness';

/**
 * Redis restarted without persistence (or failed over, or evicted) while a create was calling its providers:
 * its record is gone when the outcome is to be recorded. The answer still carries what was created; the log
 * says what happened, not that another attempt took the record over.
 */
describe('a record Redis lost while its create was calling the providers', () => {
  let h: Harness;
  let redis: Redis;
  redisHarnessForBlock((harness, client) => {
    h = harness;
    redis = client;
  });

  it('the answer keeps its credentials, and the log says the record is gone (not that another attempt took it over)', async () => {
    h.sandboxes.versori.inject({ delayMs: 800 });
    const answer = h.gql(CREATE_SA, { input: { name: uniqueName('lost'), providers: ['versori'], idempotencyKey: uniqueName('k') } });
    while (h.sandboxes.versori.arrived === 0) await new Promise((r) => setTimeout(r, 10));
    // What a restart without persistence does to this gateway's keys (and only to them: the Redis is shared).
    const keys = await redis.keys(`${h.keyPrefix}rec:*`);
    expect(keys.length).toBeGreaterThan(0);
    await redis.del(...keys);
    const res = await answer;
    expect(res.body.data.createServiceAccount.status).toBe('SUCCEEDED');
    expect(JSON.stringify(res.body.data)).toMatch(/"secret":"[^"]+"/);
    // Logged in the background: the answer does not wait for the diagnostic read.
    let line: string | undefined;
    for (let i = 0; i < 50 && !line; i++) {
      line = h
        .logs()
        .split('\n')
        .find((l) => l.includes('idempotency outcome not recorded'));
      if (!line) await new Promise((r) => setTimeout(r, 20));
    }
    expect(JSON.parse(line!)).toMatchObject({
      level: 40,
      why: 'gone',
      msg: expect.stringMatching(/the idempotency record is gone \(Redis lost it.*a repeat of this key is no longer answered from it/),
    });
    expect(h.logs()).not.toMatch(/taken the record over/);
  });
});
