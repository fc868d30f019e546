import { CREATE_SA, gql } from '../helpers/graphql.client';
import { startCluster, type Cluster } from '../helpers/cluster.harness';
import { uniqueName } from '../helpers/gateway.harness';

const ROUTES = {
  hoop: 'POST /serviceaccounts',
  unleash: 'POST /api/admin/service-account',
  versori: 'POST /organisations/{organisation_id}/service-accounts',
  generic: 'POST /v1/service-accounts',
} as const;

describe('many clients racing over three gateway processes sharing one Redis', () => {
  let c: Cluster;
  beforeAll(async () => {
    // A generous command timeout: this file checks correctness under races, not how fast a dead Redis is noticed.
    c = await startCluster(3, (cfg) => (cfg.redis.commandTimeoutMs = 2000));
  }, 90_000);
  afterAll(() => c?.close());
  beforeEach(() => c.sandboxes.reset());

  it('50 identical requests at once: exactly one upstream create per target, 49 CONFLICT', async () => {
    const input = { name: uniqueName('race'), idempotencyKey: `race-${Date.now()}` };
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => gql(c.nodes[i % 3].url, CREATE_SA, { input })));
    const created = responses.filter((r) => r.body.data?.createServiceAccount);
    const conflicts = responses.filter((r) => r.body.errors?.[0]?.extensions?.code === 'CONFLICT');
    expect(created).toHaveLength(1);
    expect(created[0].body.data.createServiceAccount.status).toBe('SUCCEEDED');
    expect(conflicts).toHaveLength(49);
    for (const [kind, route] of Object.entries(ROUTES)) expect([kind, c.sandboxes[kind as keyof typeof ROUTES].count(route)]).toEqual([kind, 1]);
  });

  it('overlapping target sets under different keys: each provider creates the name once, the others get CONFLICT', async () => {
    const name = uniqueName('overlap');
    const sets = [['hoop', 'unleash'], ['unleash', 'versori'], ['versori', 'generic', 'hoop'], ['generic'], ['hoop', 'unleash', 'versori', 'generic']];
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        gql(c.nodes[i % 3].url, CREATE_SA, { input: { name, providers: sets[i % sets.length], idempotencyKey: `ov-${name}-${i}` } }),
      ),
    );
    const createdBy: Record<string, number> = {};
    for (const r of responses) {
      expect(r.body.errors).toBeUndefined();
      for (const res of r.body.data.createServiceAccount.results) {
        if (res.__typename === 'ServiceAccountCreated') createdBy[res.provider.id] = (createdBy[res.provider.id] ?? 0) + 1;
        else expect(res.code).toBe('CONFLICT');
      }
    }
    expect(createdBy).toEqual({ hoop: 1, unleash: 1, versori: 1, generic: 1 });
    for (const [kind, route] of Object.entries(ROUTES)) expect([kind, c.sandboxes[kind as keyof typeof ROUTES].count(route)]).toEqual([kind, 1]);
  });
});
