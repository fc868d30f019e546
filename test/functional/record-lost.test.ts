import Redis from 'ioredis';
import { CREATE_SA } from '../helpers/graphql.client';
import { startHarness, uniqueName, type Harness } from '../helpers/gateway.harness';

/**
 * Redis restarted without persistence (or failed over, or evicted) while a create was calling its providers:
 * its record, lease and guards are gone when the outcome is to be recorded. The answer still carries what was
 * created, and the completion writes the record and the kept guards again: a repeat of the key is answered
 * from the record, and another key with the same name meets the guard, instead of calling the providers again.
 */
describe('a record Redis lost while its create was calling the providers', () => {
  let h: Harness;
  let redis: Redis;
  beforeAll(async () => {
    h = await startHarness({ redis: true });
    redis = new Redis(process.env.REDIS_URL!);
  });
  afterAll(async () => {
    redis.disconnect();
    await h.close();
  });

  it('the answer keeps its credentials; the record and its guard are written again, so nothing is created twice', async () => {
    const name = uniqueName('lost');
    const input = { name, providers: ['versori'], idempotencyKey: uniqueName('k') };
    h.sandboxes.versori.inject({ delayMs: 800 });
    const answer = h.gql(CREATE_SA, { input });
    while (h.sandboxes.versori.arrived === 0) await new Promise((r) => setTimeout(r, 10));
    // What a restart without persistence does to this gateway's keys (and only to them: the Redis is shared).
    const keys = await redis.keys(`${h.keyPrefix}*`);
    expect(keys.some((k) => k.includes(':rec:'))).toBe(true);
    expect(keys.some((k) => k.includes(':guard:'))).toBe(true);
    await redis.del(...keys);
    const res = await answer;
    expect(res.body.data.createServiceAccount.status).toBe('SUCCEEDED');
    expect(JSON.stringify(res.body.data)).toMatch(/"secret":"[^"]+"/);
    expect(h.logs()).toMatch(/idempotency record was gone when its attempt completed .*written again with the outcome/);
    expect(h.logs()).not.toMatch(/taken the record over|outcome not recorded/);

    // The same key: answered from the record, no call.
    const repeat = await h.gql(CREATE_SA, { input });
    expect(repeat.body.errors[0].extensions).toMatchObject({ code: 'CONFLICT', idempotencyKey: input.idempotencyKey });
    // Another key, the same name: the guard holds it, no call.
    const other = await h.gql(CREATE_SA, { input: { ...input, idempotencyKey: uniqueName('k2') } });
    expect(other.body.data.createServiceAccount.results[0]).toMatchObject({ __typename: 'ProviderFailure', code: 'CONFLICT' });
    expect(h.sandboxes.versori.count()).toBe(1);
  });
});
