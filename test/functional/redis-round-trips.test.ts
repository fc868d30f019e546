import { CREATE_SA } from '../helpers/graphql.client';
import { startHarness, uniqueName, type Harness } from '../helpers/gateway.harness';
import { CountingProxy } from '../helpers/tcp.proxy';

describe('Redis round trips per mutation', () => {
  let proxy: CountingProxy;
  let h: Harness;
  beforeAll(async () => {
    const target = new URL(process.env.REDIS_URL!);
    proxy = await new CountingProxy(Number(target.port || 6379), target.hostname).start();
    h = await startHarness({ redis: true, redisUrl: `redis://127.0.0.1:${proxy.port}` });
    // Warm up: connection set-up (INFO ready check) and first script loads are not per-mutation costs.
    await h.gql(CREATE_SA, { input: { name: uniqueName('warm') } });
  });
  afterAll(async () => {
    await h.close();
    await proxy.stop();
  });

  it.each([
    ['1 target', ['hoop']],
    ['4 targets', ['hoop', 'unleash', 'versori', 'generic']],
  ])('a create with %s costs exactly three (claim; guards; complete with its audit event)', async (_label, providers) => {
    proxy.reset();
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('rt'), providers } });
    expect(res.body.data.createServiceAccount.status).toBe('SUCCEEDED');
    expect(proxy.clientWrites).toBe(3);
  });

  it('a repeated create costs one round trip (the claim answers CONFLICT) and one write it does not wait for (its audit event)', async () => {
    const input = { name: uniqueName('rt'), providers: ['hoop', 'generic'] };
    await h.gql(CREATE_SA, { input });
    proxy.reset();
    const res = await h.gql(CREATE_SA, { input });
    expect(res.body.errors[0].extensions.code).toBe('CONFLICT');
    expect(proxy.clientWrites).toBe(2);
  });

  it('several idempotencyRecord look-ups in one request are one batched round trip (DataLoader)', async () => {
    proxy.reset();
    const res = await h.gql(`{
      a: idempotencyRecord(key: "k1", operation: CREATE_SERVICE_ACCOUNT) { key }
      b: idempotencyRecord(key: "k2", operation: CREATE_SERVICE_ACCOUNT) { key }
      c: idempotencyRecord(key: "k3", operation: CREATE_USER) { key }
      d: idempotencyRecord(key: "k1", operation: CREATE_SERVICE_ACCOUNT) { key }
    }`);
    expect(res.body.errors).toBeUndefined();
    expect(proxy.clientWrites).toBe(1);
  });
});
