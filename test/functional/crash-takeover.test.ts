import { byProvider, CREATE_SA, gql } from '../helpers/graphql.client';
import { startCluster, type Cluster } from '../helpers/cluster.harness';
import { uniqueName } from '../helpers/gateway.harness';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a gateway killed mid-request', () => {
  let c: Cluster;
  beforeAll(async () => {
    // Lease 4 s: above the worst-case provider call (500 ms + 2 × (500 + 100) ms retries) plus the Redis round
    // trips before it (3 × 500 ms) and 500 ms of slack, checked at start.
    c = await startCluster(2, (cfg) => {
      cfg.idempotency = { leaseSeconds: 4 };
      for (const p of cfg.providers) p.timeoutMs = 500;
    });
  }, 90_000);
  afterAll(() => c?.close());

  it('leaves a lease (retries get inProgress); after leaseSeconds another process takes over', async () => {
    const [a, b] = c.nodes;
    const input = { name: uniqueName('crash'), providers: ['hoop', 'unleash'], idempotencyKey: `crash-${Date.now()}` };
    c.sandboxes.unleash.inject({ delayMs: 30_000 });

    void gql(a.url, CREATE_SA, { input }).catch(() => undefined);
    for (let i = 0; i < 500 && !(c.sandboxes.unleash.arrived === 1 && c.sandboxes.hoop.count() === 1); i++) await sleep(5);
    expect(c.sandboxes.hoop.count()).toBe(1); // hoop created by the attempt that is about to die
    a.proc.child.kill('SIGKILL');
    await a.proc.exited;

    const during = await gql(b.url, CREATE_SA, { input });
    expect(during.body.errors[0].extensions).toMatchObject({ code: 'CONFLICT', inProgress: true });
    expect(c.sandboxes.unleash.arrived).toBe(1);

    let after = during;
    for (let i = 0; i < 40 && after.body.errors?.[0]?.extensions?.inProgress; i++) {
      await sleep(250);
      after = await gql(b.url, CREATE_SA, { input });
    }
    const payload = after.body.data.createServiceAccount;
    const r = byProvider(payload.results);
    // hoop: the dead attempt created it; the provider's 409 says so.
    expect(r.hoop).toMatchObject({ code: 'CONFLICT', httpStatus: 409 });
    expect(r.hoop.message).toMatch(/earlier attempt .* may have created it/);
    // unleash: the dead attempt never finished there; the new owner created it.
    expect(r.unleash).toMatchObject({ __typename: 'ServiceAccountCreated', replayed: false });
    expect(c.sandboxes.unleash.count('POST /api/admin/service-account')).toBe(2); // the dropped one, and the successful one
    expect(payload.status).toBe('PARTIAL');

    // The record is now completed under the new owner.
    const final = await gql(b.url, CREATE_SA, { input });
    expect(final.body.errors[0].extensions).toMatchObject({ code: 'CONFLICT', original: { status: 'PARTIAL' } });
  });
});
