import { CREATE_SA } from '../helpers/graphql.client';
import { startHarness, uniqueName, type Harness } from '../helpers/gateway.harness';

/**
 * The defect the start-up check (server.shutdownGraceMs must exceed every provider's worst-case call) prevents:
 * a create in flight at shutdown cut off at the grace while its provider still creates the account, Redis
 * closed under it, the record left in progress, its credentials lost and a retry answered CONFLICT.
 * With the defaults (timeoutMs 5000, grace 10000 ms) a call near its deadline at shutdown is answered in full
 * and recorded: a retry on another replica gets the recorded outcome.
 */
describe('shutdown with the default grace while a provider call nears its deadline', () => {
  const opened: Harness[] = [];
  afterAll(async () => {
    for (const h of opened) await h.sandboxes.stop();
  });

  it('answers the create with its credentials and records its outcome before Redis closes', async () => {
    const first = await startHarness({ redis: true });
    opened.push(first);
    expect(first.gateway.store.kind).toBe('redis');
    const input = { name: uniqueName('grace'), providers: ['versori'], idempotencyKey: uniqueName('grace-key') };
    // 4 s of the 5 s deadline: well past any short grace, inside the default one.
    first.sandboxes.versori.inject({ delayMs: 4_000 });
    const pending = first.gql(CREATE_SA, { input });
    while (first.sandboxes.versori.arrived === 0) await new Promise((r) => setTimeout(r, 10));
    const closed = first.gateway.close();

    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.body.data.createServiceAccount.status).toBe('SUCCEEDED');
    expect(res.body.data.createServiceAccount.results[0].credentials[0].secret).toEqual(expect.any(String));
    await closed;
    expect(first.logs()).not.toContain('could not record idempotency outcome');

    // Another replica on the same Redis: the outcome is there, not an in-progress record.
    const second = await startHarness({ redis: true, configure: (c) => (c.redis = { ...c.redis, keyPrefix: first.keyPrefix }) });
    opened.push(second);
    const retry = await second.gql(CREATE_SA, { input });
    const error = retry.body.errors?.[0];
    expect(error?.extensions?.code).toBe('CONFLICT');
    expect(error.extensions.inProgress).toBeUndefined();
    expect(error.extensions.original).toMatchObject({ status: 'SUCCEEDED', results: [expect.objectContaining({ providerId: 'versori' })] });
    expect(second.sandboxes.versori.arrived).toBe(0);
    await second.gateway.close();
  }, 30_000);
});
