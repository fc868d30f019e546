import { CREATE_SA, gql } from '../helpers/graphql.client';
import type { Cluster } from '../helpers/cluster.harness';
import { uniqueName } from '../helpers/gateway.harness';

const ROUTES = {
  hoop: 'POST /serviceaccounts',
  unleash: 'POST /api/admin/service-account',
  versori: 'POST /organisations/{organisation_id}/service-accounts',
  generic: 'POST /v1/service-accounts',
} as const;

/**
 * Many clients racing over three gateway processes that share one store: run
 * against a standalone Redis and a Redis Cluster alike (`cluster()` is read
 * when each test runs, after the caller's beforeAll started the gateways).
 */
export function raceBehaviour(cluster: () => Cluster): void {
  const upstreamCounts = () => Object.entries(ROUTES).map(([kind, route]) => [kind, cluster().sandboxes[kind as keyof typeof ROUTES].count(route)]);

  it('50 identical requests at once: exactly one upstream create per target, 49 CONFLICT', async () => {
    const c = cluster();
    const input = { name: uniqueName('race'), idempotencyKey: uniqueName('race-key') };
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => gql(c.nodes[i % 3].url, CREATE_SA, { input })));
    const created = responses.filter((r) => r.body.data?.createServiceAccount);
    const conflicts = responses.filter((r) => r.body.errors?.[0]?.extensions?.code === 'CONFLICT');
    expect(created).toHaveLength(1);
    expect(created[0].body.data.createServiceAccount.status).toBe('SUCCEEDED');
    expect(conflicts).toHaveLength(49);
    expect(upstreamCounts()).toEqual(Object.keys(ROUTES).map((kind) => [kind, 1]));
  });

  it('overlapping target sets under different keys: each (provider, name) is created once, the others get CONFLICT', async () => {
    const c = cluster();
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
    expect(upstreamCounts()).toEqual(Object.keys(ROUTES).map((kind) => [kind, 1]));
  });
}
