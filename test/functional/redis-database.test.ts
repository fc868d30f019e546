import Redis from 'ioredis';
import { CREATE_SA } from '../helpers/graphql.client';
import { startHarness, uniqueName } from '../helpers/gateway.harness';

/** REDIS_URL with its path replaced by a database number. */
function withDatabase(db: number): string {
  const u = new URL(process.env.REDIS_URL!);
  u.pathname = `/${db}`;
  return u.toString();
}

async function keysUnder(db: number, prefix: string): Promise<string[]> {
  const admin = new Redis(withDatabase(db));
  try {
    return await admin.keys(`${prefix}*`);
  } finally {
    admin.disconnect();
  }
}

describe('the database a REDIS_URL names', () => {
  it('is where every key goes', async () => {
    const h = await startHarness({ redis: true, redisUrl: withDatabase(3) });
    try {
      const res = await h.gql(CREATE_SA, { input: { name: uniqueName('db3') } });
      expect(res.body.errors).toBeUndefined();
      expect((await keysUnder(3, h.keyPrefix)).length).toBeGreaterThan(0);
      expect(await keysUnder(0, h.keyPrefix)).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('one this Redis does not have (16 by default): fail closed, nothing written to database 0 or sent upstream, the reason logged', async () => {
    // ioredis reports a refused SELECT as an 'error' event and carries on, on database 0.
    const h = await startHarness({ redis: true, redisUrl: withDatabase(99) });
    try {
      for (let i = 0; i < 3; i++) {
        const res = await h.gql(CREATE_SA, { input: { name: uniqueName('db99') } });
        expect(res.status).toBe(503);
        expect(res.body.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
        await new Promise((r) => setTimeout(r, 300));
      }
      expect((await fetch(h.url.replace('/graphql', '/readyz'))).status).toBe(503);
      expect(await keysUnder(0, h.keyPrefix)).toEqual([]);
      expect(h.sandboxes.count()).toBe(0);
      const lines = h
        .logs()
        .split('\n')
        .filter((l) => l.includes('Redis refused database 99'));
      expect(lines.length).toBeGreaterThan(0);
      expect(JSON.parse(lines[0])).toMatchObject({
        level: 40,
        reason: expect.stringMatching(/DB index is out of range.*fix the database number in REDIS_URL/),
      });
    } finally {
      await h.close();
    }
  });
});
