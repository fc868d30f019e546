import { CREATE_SA } from '../helpers/graphql.client';
import { sample, scrape } from '../helpers/metrics.scrape';
import { CountingProxy } from '../helpers/tcp.proxy';
import { startHarness, uniqueName, type Harness } from '../helpers/gateway.harness';

/** Two create fields in one document, each selecting the one-time credentials. */
const TWO_CREATES = /* GraphQL */ `
  mutation Two($a: CreateServiceAccountInput!, $b: CreateServiceAccountInput!) {
    fresh: createServiceAccount(input: $a) {
      idempotencyKey
      status
      results {
        ... on ServiceAccountCreated {
          provider {
            id
          }
          credentials {
            kind
            secret
          }
        }
      }
    }
    again: createServiceAccount(input: $b) {
      status
    }
  }
`;

function secretsOf(payload: any): string[] {
  return payload.results.flatMap((r: any) => (r.credentials ?? []).map((c: any) => c.secret));
}

describe("several creates in one request: one failure never hides another field's credentials", () => {
  describe('default cap: one create field per operation', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness();
    });
    afterAll(() => h.close());
    beforeEach(() => h.sandboxes.reset());

    it('two create fields are refused as a whole before execution, with nothing sent upstream', async () => {
      const res = await h.gql(TWO_CREATES, { a: { name: uniqueName('m') }, b: { name: uniqueName('m') } });
      expect(res.status).toBe(400);
      expect(res.body.data).toBeUndefined();
      expect(res.body.errors[0].extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 1, count: 2 });
      expect(res.body.errors[0].message).toMatch(/at most 1 per request \(server\.maxCreatesPerOperation\)/);
      for (const s of h.sandboxes.all()) expect(s.count()).toBe(0);
    });

    it('1,000 aliased creates (and creates hidden in fragments) cost no upstream call', async () => {
      const aliases = (n: number) => Array.from({ length: n }, (_, i) => `c${i}: createServiceAccount(input: {name: "flood-${i}"}) { status }`).join('\n');
      // 1,000 no longer get past the parser's token limit (docs/security.md); 25 reach the create count.
      const flood = await h.gql(`mutation { ${aliases(1000)} }`);
      expect(flood.status).toBe(400);
      expect(flood.body.errors[0].extensions).toMatchObject({ code: 'GRAPHQL_PARSE_FAILED' });
      const counted = await h.gql(`mutation { ${aliases(25)} }`);
      expect(counted.status).toBe(400);
      expect(counted.body.errors[0].extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', count: 25 });
      const viaFragments = await h.gql(`
        mutation { ...A ... on Mutation { y: createUser(input: {email: "y@example.com"}) { status } } }
        fragment A on Mutation { x: createServiceAccount(input: {name: "frag-x"}) { status } }`);
      expect(viaFragments.body.errors[0].extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', count: 2 });
      for (const s of h.sandboxes.all()) expect(s.count()).toBe(0);
    });

    it('one create field (with __typename beside it) still runs', async () => {
      const res = await h.gql(`mutation { __typename createServiceAccount(input: {name: "${uniqueName('one')}", providers: ["hoop"]}) { status } }`);
      expect(res.status).toBe(200);
      expect(res.body.data.createServiceAccount.status).toBe('SUCCEEDED');
    });

    it('a field the schema has not is its own error, not counted as a second create', async () => {
      const res = await h.gql(`mutation { createServiceAccount(input: {name: "${uniqueName('one')}"}) { status } viewer { id } }`);
      expect(res.body.errors.map((e: any) => e.message)).toEqual(['Cannot query field "viewer" on type "Mutation".']);
      expect(h.sandboxes.hoop.count()).toBe(0);
    });
  });

  describe('maxCreatesPerOperation: 2, Redis store', () => {
    let h: Harness;
    let proxy: CountingProxy;
    beforeAll(async () => {
      const target = new URL(process.env.REDIS_URL!);
      proxy = await new CountingProxy(Number(target.port || 6379), target.hostname).start();
      h = await startHarness({
        redis: true,
        redisUrl: `redis://127.0.0.1:${proxy.port}`,
        configure: (c) => {
          c.server = { ...c.server, maxCreatesPerOperation: 2 };
        },
      });
    });
    afterAll(async () => {
      await h.close();
      await proxy.stop();
    });
    beforeEach(() => {
      h.sandboxes.reset();
      proxy.reset();
    });

    it('a create beside a dry run is counted as a create (ok) in the metrics; two dry runs as a dry run', async () => {
      const count = async (outcome: string) =>
        sample((await scrape(h.url)).samples, 'idgw_graphql_requests_total', { operation: 'createServiceAccount', type: 'mutation', outcome }) ?? 0;
      const [ok, dry] = [await count('ok'), await count('dry_run')];
      const both = (dryA: boolean) =>
        h.gql(
          `mutation($a: CreateServiceAccountInput!, $b: CreateServiceAccountInput!, $d: Boolean!) {
             a: createServiceAccount(input: $a, dryRun: $d) { status } b: createServiceAccount(input: $b, dryRun: true) { status } }`,
          { a: { name: uniqueName('mix'), providers: ['hoop'] }, b: { name: uniqueName('mixd'), providers: ['hoop'] }, d: dryA },
        );
      expect((await both(false)).body.data).toEqual({ a: { status: 'SUCCEEDED' }, b: { status: 'DRY_RUN' } });
      expect([await count('ok'), await count('dry_run')]).toEqual([ok + 1, dry]);
      expect((await both(true)).body.data).toEqual({ a: { status: 'DRY_RUN' }, b: { status: 'DRY_RUN' } });
      expect([await count('ok'), await count('dry_run')]).toEqual([ok + 1, dry + 1]);
    });

    it('a repeated create beside a fresh one: the fresh one keeps its credentials, the repeat is CONFLICT, HTTP 200', async () => {
      const repeated = { name: uniqueName('rep'), displayName: 'Repeated' };
      expect((await h.gql(CREATE_SA, { input: repeated })).body.errors).toBeUndefined();
      h.sandboxes.reset();
      const res = await h.gql(TWO_CREATES, { a: { name: uniqueName('fresh') }, b: repeated });
      expect(res.status).toBe(200);
      expect(res.body.data.fresh.status).toBe('SUCCEEDED');
      expect(secretsOf(res.body.data.fresh).length).toBeGreaterThanOrEqual(2); // Unleash PAT, Versori client secret
      expect(res.body.data.again).toBeNull();
      expect(res.body.errors).toHaveLength(1);
      expect(res.body.errors[0]).toMatchObject({ path: ['again'], extensions: { code: 'CONFLICT' } });
      expect(h.sandboxes.count()).toBe(4);
    });

    it('one Idempotency-Key header for two different creates: the first is answered, the second is IDEMPOTENCY_KEY_REUSED', async () => {
      const res = await h.gql(TWO_CREATES, { a: { name: uniqueName('hk') }, b: { name: uniqueName('hk') } }, { 'idempotency-key': uniqueName('shared') });
      expect(res.status).toBe(200);
      expect(res.body.data.fresh.status).toBe('SUCCEEDED');
      expect(secretsOf(res.body.data.fresh).length).toBeGreaterThanOrEqual(2);
      expect(res.body.data.again).toBeNull();
      expect(res.body.errors[0]).toMatchObject({ path: ['again'], extensions: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    });

    it('Redis gone between the two creates: the first keeps its credentials, HTTP 200, and no message claims nothing was sent', async () => {
      // Claim, guards and completion of the first create get through; Redis is gone from the second's claim on.
      proxy.cutAfter(3);
      const res = await h.gql(TWO_CREATES, { a: { name: uniqueName('cut') }, b: { name: uniqueName('cut') } });
      proxy.reset();
      expect(res.status).toBe(200);
      expect(res.body.data.fresh.status).toBe('SUCCEEDED');
      expect(secretsOf(res.body.data.fresh).length).toBeGreaterThanOrEqual(2);
      expect(res.body.data.again).toBeNull();
      expect(res.body.errors[0]).toMatchObject({ path: ['again'], extensions: { code: 'SERVICE_UNAVAILABLE' } });
      expect(res.text).not.toMatch(/nothing was sent to any provider\./);
      expect(res.body.errors[0].message).toMatch(/this operation did nothing/);
      expect(h.sandboxes.count()).toBe(4);
    });

    it('Redis gone before anything ran: 503, nothing sent', async () => {
      proxy.cutAfter(0);
      const res = await h.gql(TWO_CREATES, { a: { name: uniqueName('gone') }, b: { name: uniqueName('gone') } });
      proxy.reset();
      expect(res.status).toBe(503);
      expect(res.body.data).toEqual({ fresh: null, again: null });
      expect(h.sandboxes.count()).toBe(0);
    });
  });
});
