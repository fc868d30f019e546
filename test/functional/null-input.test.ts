import { CREATE_SA, CREATE_USER } from '../helpers/graphql.client';
import { startHarness, uniqueName, type Harness } from '../helpers/gateway.harness';

/** Every nullable field of an input type, nested option objects included, as dotted paths (read from the live schema). */
async function nullablePaths(h: Harness, type: string): Promise<string[]> {
  const res = await h.gql(`{ __schema { types { name inputFields { name type { kind name } } } } }`);
  const types = new Map<string, Array<{ name: string; type: { kind: string; name: string | null } }>>(
    res.body.data.__schema.types.filter((t: any) => t.inputFields).map((t: any) => [t.name, t.inputFields]),
  );
  const walk = (name: string, prefix: string): string[] =>
    (types.get(name) ?? []).flatMap((f) => {
      if (f.type.kind === 'NON_NULL') return [];
      const path = `${prefix}${f.name}`;
      return f.type.kind === 'INPUT_OBJECT' ? [path, ...walk(f.type.name!, `${path}.`)] : [path];
    });
  return walk(type, '');
}

function withNull(input: Record<string, any>, path: string): Record<string, any> {
  const out = structuredClone(input);
  const parts = path.split('.');
  let o = out;
  for (const p of parts.slice(0, -1)) o = o[p] ??= {};
  o[parts[parts.length - 1]] = null;
  return out;
}

/** The field names each provider received, per route: what "the same as absent" must reproduce. */
function upstreamShape(h: Harness): string[] {
  return h.sandboxes
    .all()
    .flatMap((s) =>
      s.received().map(
        (c) =>
          `${c.route} ${Object.keys(c.body as object)
            .sort()
            .join(',')}`,
      ),
    )
    .sort();
}

function nullsSentUpstream(h: Harness): string[] {
  return h.sandboxes.all().flatMap((s) =>
    s
      .received()
      .filter((c) => JSON.stringify(c.body).includes('null'))
      .map((c) => c.route),
  );
}

describe('an explicit null in any nullable input field means the same as leaving it out', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const cases: Array<[string, string, string, () => Record<string, any>]> = [
    ['createServiceAccount', 'CreateServiceAccountInput', CREATE_SA, () => ({ name: uniqueName('nul') })],
    ['createUser', 'CreateUserInput', CREATE_USER, () => ({ email: `${uniqueName('nul')}@example.com` })],
  ];

  it.each(cases)('%s: every nullable field, one at a time', async (field, type, query, base) => {
    const paths = await nullablePaths(h, type);
    expect(paths.length).toBeGreaterThan(10);
    h.sandboxes.reset();
    const baseline = await h.gql(query, { input: base() });
    expect(baseline.body.errors).toBeUndefined();
    const expectedShape = upstreamShape(h);
    for (const path of paths) {
      h.sandboxes.reset();
      const res = await h.gql(query, { input: withNull(base(), path) });
      expect({ path, errors: res.body.errors }).toEqual({ path, errors: undefined });
      expect({ path, status: res.body.data[field].status }).toEqual({ path, status: baseline.body.data[field].status });
      expect({ path, shape: upstreamShape(h) }).toEqual({ path, shape: expectedShape });
      expect({ path, nulls: nullsSentUpstream(h) }).toEqual({ path, nulls: [] });
    }
  });

  it('unleash.rootRole: null falls back to the provider default instead of being refused', async () => {
    h.sandboxes.reset();
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('rr'), providers: ['unleash'], unleash: { rootRole: null } } });
    expect(res.body.data.createServiceAccount.status).toBe('SUCCEEDED');
    expect(h.sandboxes.unleash.received()[0].body).toMatchObject({ rootRole: 3 });
  });

  it('idempotencyKey: null with an Idempotency-Key header runs under the header key', async () => {
    const key = uniqueName('hdr');
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('k'), providers: ['hoop'], idempotencyKey: null } }, { 'idempotency-key': key });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.createServiceAccount.idempotencyKey).toBe(key);
  });

  it('createUser unleash.username: null is not sent upstream as JSON null', async () => {
    h.sandboxes.reset();
    const res = await h.gql(CREATE_USER, { input: { email: `${uniqueName('un')}@example.com`, providers: ['unleash'], unleash: { username: null } } });
    expect(res.body.data.createUser.status).toBe('SUCCEEDED');
    expect(h.sandboxes.unleash.received()[0].body).not.toHaveProperty('username');
  });
});

describe('a null variable where a value is required (graphql-js 16 objects only during execution)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.sandboxes.reset());
  const calls = () => h.sandboxes.count();

  // Directives inside the create's selection are evaluated after its resolver ran: the accounts were created,
  // then the null nulled the whole answer and their one-time secrets were lost.
  it.each([
    [
      '@skip on a field of the payload',
      'mutation($s: Boolean = false, $n: String!) { createServiceAccount(input: {name: $n, providers: ["versori", "unleash"]}) { status @skip(if: $s) results { __typename ... on ServiceAccountCreated { credentials { secret } } } } }',
    ],
    [
      '@include after the credentials',
      'mutation($s: Boolean = true, $n: String!) { createServiceAccount(input: {name: $n, providers: ["versori"]}) { results { ... on ServiceAccountCreated { credentials { secret } provider { id @include(if: $s) } } } } }',
    ],
    [
      'a fragment with @include inside a user create',
      'mutation($s: Boolean = true, $n: EmailAddress!) { createUser(input: {email: $n, providers: ["unleash"]}) { results { ...F @include(if: $s) } } } fragment F on UserCreated { credentials { secret } }',
    ],
  ])('%s: 400 BAD_USER_INPUT before anything runs, nothing created', async (_what, query) => {
    const name = query.includes('createUser') ? `${uniqueName('nv')}@example.com` : uniqueName('nv');
    const res = await h.gql(query, { s: null, n: name });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({
      message: expect.stringMatching(/^Variable "\$s" is null where a value is required/),
      extensions: { code: 'BAD_USER_INPUT', field: 's' },
    });
    expect(res.body.data).toBeUndefined();
    expect(calls()).toBe(0);
    // The same operation with a value (or the default) runs, and shows the secrets.
    const ok = await h.gql(query, { n: name });
    expect(ok.body.errors).toBeUndefined();
    expect(JSON.stringify(ok.body.data)).toMatch(/"secret":"[^"]+"/);
  });

  it('a null for a nullable position is still a null (the variable means "not given")', async () => {
    const res = await h.gql(
      'mutation($r: Int = 3, $n: String!) { createServiceAccount(input: {name: $n, providers: ["unleash"], unleash: {rootRole: $r}}) { status } }',
      {
        r: null,
        n: uniqueName('nv'),
      },
    );
    expect(res.body.data.createServiceAccount.status).toBe('SUCCEEDED');
  });
});
