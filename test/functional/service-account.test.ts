import { byProvider, CREATE_SA } from '../helpers/graphql.client';
import { startHarness, uniqueName, type Harness } from '../helpers/gateway.harness';
import { scrape, sample } from '../helpers/metrics.scrape';

describe('createServiceAccount fans out to every provider kind', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.sandboxes.reset());

  it('creates on all four providers, sending exactly what each API expects', async () => {
    const name = uniqueName('ci');
    const res = await h.gql(CREATE_SA, { input: { name, displayName: 'CI bot', description: 'builds things' } });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    const payload = res.body.data.createServiceAccount;
    expect(payload.status).toBe('SUCCEEDED');
    expect(payload.results.map((r: any) => r.provider.id)).toEqual(['hoop', 'unleash', 'versori', 'generic']);
    const r = byProvider(payload.results);

    const [hoop] = h.sandboxes.hoop.received('POST /serviceaccounts');
    expect(hoop.path).toBe('/api/serviceaccounts');
    expect(hoop.headers.authorization).toBe(`Bearer ${h.sandboxes.tokens.SANDBOX_HOOP_TOKEN}`);
    expect(hoop.headers['content-type']).toBe('application/json');
    expect(hoop.body).toEqual({ subject: name, name: 'CI bot', status: 'active' });
    expect(r.hoop).toMatchObject({
      __typename: 'ServiceAccountCreated',
      account: { name, displayName: 'CI bot', status: 'ACTIVE' },
      credentials: [],
      replayed: false,
    });

    const [unleash] = h.sandboxes.unleash.received('POST /api/admin/service-account');
    expect(unleash.headers.authorization).toBe(h.sandboxes.tokens.SANDBOX_UNLEASH_TOKEN);
    expect(unleash.body).toEqual({ username: name, name: 'CI bot', rootRole: 3 });
    expect(r.unleash.account.id).toMatch(/^\d+$/);
    expect(r.unleash.credentials).toHaveLength(1);
    expect(r.unleash.credentials[0]).toMatchObject({ kind: 'PERSONAL_ACCESS_TOKEN', id: expect.any(String), secret: expect.stringMatching(/^user:/) });

    const [versori] = h.sandboxes.versori.received('POST /organisations/{organisation_id}/service-accounts');
    expect(versori.path).toBe('/api/organisations/v1/organisations/org-sandbox/service-accounts');
    expect(versori.headers.authorization).toBe(`JWT ${h.sandboxes.tokens.SANDBOX_VERSORI_TOKEN}`);
    expect(versori.body).toEqual({ name, roles: ['viewer'] });
    expect(r.versori.account).toMatchObject({ name, email: `${name}@sa.org-sandbox.versori.com` });
    expect(r.versori.credentials).toEqual([expect.objectContaining({ kind: 'CLIENT_SECRET', clientId: expect.any(String), secret: expect.any(String) })]);

    const [generic] = h.sandboxes.generic.received('POST /v1/service-accounts');
    expect(generic.headers.authorization).toBe(`Bearer ${h.sandboxes.tokens.SANDBOX_GENERIC_TOKEN}`);
    expect(generic.body).toEqual({ name, description: 'builds things', permissions: ['org:read'] });
    expect(r.generic.account).toMatchObject({ name, status: 'ACTIVE' });
    expect(r.generic.account.createdAt).toEqual(expect.any(String));
  });

  it('warns (extensions.warnings) when an operation leaves out the one-time secrets it received, and not when a fragment selects them', async () => {
    const bare = await h.gql('mutation($input: CreateServiceAccountInput!) { made: createServiceAccount(input: $input) { status } }', {
      input: { name: uniqueName('bare'), providers: ['hoop', 'unleash', 'versori'] },
    });
    expect(bare.body.data.made.status).toBe('SUCCEEDED');
    expect(bare.body.extensions.warnings).toEqual([
      expect.objectContaining({ code: 'CREDENTIALS_NOT_SELECTED', path: ['made'], providers: expect.arrayContaining(['unleash', 'versori']) }),
    ]);
    expect(bare.body.extensions.warnings[0].message).toMatch(/cannot be shown again/);

    const withFragment = await h.gql(
      `mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { status results { ...Made } } }
       fragment Made on ServiceAccountCreated { credentials { kind secret } }`,
      { input: { name: uniqueName('frag'), providers: ['unleash', 'versori'] } },
    );
    expect(withFragment.body.data.createServiceAccount.status).toBe('SUCCEEDED');
    expect(withFragment.body.extensions?.warnings).toBeUndefined();
  });

  it('a secret left out by @skip or @include warns too, decided per request on the same document', async () => {
    const doc = `mutation($input: CreateServiceAccountInput!, $s: Boolean!) {
      createServiceAccount(input: $input) { status results { ... on ServiceAccountCreated { credentials { kind secret @include(if: $s) } } } } }`;
    const without = await h.gql(doc, { input: { name: uniqueName('skip'), providers: ['versori'] }, s: false });
    expect(without.body.extensions.warnings).toEqual([expect.objectContaining({ code: 'CREDENTIALS_NOT_SELECTED', providers: ['versori'] })]);
    const withIt = await h.gql(doc, { input: { name: uniqueName('incl'), providers: ['versori'] }, s: true });
    expect(withIt.body.data.createServiceAccount.results[0].credentials[0].secret).toEqual(expect.any(String));
    expect(withIt.body.extensions?.warnings).toBeUndefined();
    const skipped = await h.gql(
      'mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { results { ... on ServiceAccountCreated @skip(if: true) { credentials { secret } } } } }',
      { input: { name: uniqueName('skip2'), providers: ['versori'] } },
    );
    expect(skipped.body.extensions.warnings[0].code).toBe('CREDENTIALS_NOT_SELECTED');
  });

  it('a client that gives up before its answer is written: the log names the providers whose one-time credentials were lost', async () => {
    h.sandboxes.versori.inject({ delayMs: 800 });
    const name = uniqueName('gone');
    const client = new AbortController();
    setTimeout(() => client.abort(), 200);
    await expect(
      fetch(h.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: CREATE_SA, variables: { input: { name, providers: ['versori', 'hoop'] } } }),
        signal: client.signal,
      }),
    ).rejects.toThrow();
    const lost = async () =>
      h
        .logs()
        .split('\n')
        .find((l) => l.includes('went away before its answer') && l.includes('"versori"'));
    for (let i = 0; i < 50 && !(await lost()); i++) await new Promise((r) => setTimeout(r, 50));
    const line = JSON.parse((await lost())!);
    expect(line).toMatchObject({ level: 40, operation: 'createServiceAccount', providers: ['versori'] });
    expect(h.sandboxes.versori.count()).toBe(1);
    // Counted per provider that issued a secret (hoop issues none here), for an alert.
    const counted = (await scrape(h.url)).samples;
    expect(sample(counted, 'idgw_credentials_lost_total', { provider: 'versori' })).toBe(1);
    expect(sample(counted, 'idgw_credentials_lost_total', { provider: 'hoop' })).toBeUndefined();
    // An answer that was written whole says nothing of the kind.
    const before = h
      .logs()
      .split('\n')
      .filter((l) => l.includes('went away before its answer')).length;
    expect((await h.gql(CREATE_SA, { input: { name: uniqueName('kept'), providers: ['versori'] } })).body.data.createServiceAccount.status).toBe('SUCCEEDED');
    await new Promise((r) => setTimeout(r, 100));
    expect(
      h
        .logs()
        .split('\n')
        .filter((l) => l.includes('went away before its answer')),
    ).toHaveLength(before);
    expect(sample((await scrape(h.url)).samples, 'idgw_credentials_lost_total', { provider: 'versori' })).toBe(1);
  });

  it('maps per-provider options and an INACTIVE status onto each API', async () => {
    const name = uniqueName('opt');
    const res = await h.gql(CREATE_SA, {
      input: {
        name,
        status: 'INACTIVE',
        providers: ['hoop'],
        hoop: { subject: 'client-xyz', groups: ['engineering', 'sre'] },
      },
    });
    expect(res.body.data.createServiceAccount.status).toBe('SUCCEEDED');
    expect(h.sandboxes.hoop.received('POST /serviceaccounts')[0].body).toEqual({
      subject: 'client-xyz',
      name,
      status: 'inactive',
      groups: ['engineering', 'sre'],
    });

    const res2 = await h.gql(CREATE_SA, {
      input: {
        name: uniqueName('opt'),
        providers: ['unleash', 'versori', 'generic'],
        unleash: { username: 'svc-user', rootRole: 2 },
        versori: { organisationId: 'org-sandbox', roles: ['admin'], groupIds: ['g1'] },
        generic: { permissions: ['org:write'] },
      },
    });
    expect(res2.body.data.createServiceAccount.status).toBe('SUCCEEDED');
    expect(h.sandboxes.unleash.received('POST /api/admin/service-account')[0].body).toMatchObject({ username: 'svc-user', rootRole: 2 });
    expect(h.sandboxes.versori.received()[0].body).toMatchObject({ roles: ['admin'], groupIDs: ['g1'] });
    expect(h.sandboxes.generic.received()[0].body).toMatchObject({ permissions: ['org:write'] });
    expect(h.sandboxes.hoop.count('POST /serviceaccounts')).toBe(1);
  });

  it('an INACTIVE account on a provider without statuses is UNSUPPORTED there, without a call', async () => {
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('inact'), status: 'INACTIVE' } });
    const payload = res.body.data.createServiceAccount;
    expect(payload.status).toBe('PARTIAL');
    const r = byProvider(payload.results);
    expect(r.hoop.__typename).toBe('ServiceAccountCreated');
    for (const id of ['unleash', 'versori', 'generic']) expect(r[id]).toMatchObject({ code: 'UNSUPPORTED', retryable: false });
    expect(h.sandboxes.unleash.count()).toBe(0);
    expect(h.sandboxes.versori.count()).toBe(0);
    expect(h.sandboxes.generic.count()).toBe(0);
  });

  it("reports PARTIAL when one provider fails and keeps the others' credentials", async () => {
    h.sandboxes.versori.inject({ response: { status: 503, body: { code: 'unavailable', message: 'down', cause: 'pq: connection refused at 10.0.0.3' } } });
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('part') } });
    const payload = res.body.data.createServiceAccount;
    expect(payload.status).toBe('PARTIAL');
    const r = byProvider(payload.results);
    expect(r.versori).toMatchObject({ __typename: 'ProviderFailure', code: 'UNAVAILABLE', httpStatus: 503, retryable: true });
    expect(r.versori.message).not.toMatch(/10\.0\.0\.3|pq:|down/);
    expect(r.unleash.credentials[0].secret).toEqual(expect.any(String));
  });

  it('reports FAILED when every target fails', async () => {
    for (const s of h.sandboxes.all()) s.inject({ response: { status: 500, body: { message: 'boom' } } });
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('fail') } });
    expect(res.body.data.createServiceAccount.status).toBe('FAILED');
  });

  it('runs the targets in parallel: latency is the slowest target, not the sum', async () => {
    for (const s of h.sandboxes.all()) s.inject({ delayMs: 400 });
    await h.gql(CREATE_SA, { input: { name: uniqueName('par') } });
    const calls = h.sandboxes.all().map((s) => s.received()[0]);
    // Every request arrived before any was answered: they were in flight together (an ordering, not a timing).
    expect(Math.max(...calls.map((c) => c.receivedAt))).toBeLessThan(Math.min(...calls.map((c) => c.at)));
  });

  it('lists the configured providers with kind and capabilities', async () => {
    const res = await h.gql('{ providers { id kind capabilities health { state consecutiveFailures } } }');
    expect(res.body.data.providers).toEqual([
      { id: 'hoop', kind: 'HOOP', capabilities: ['CREATE_SERVICE_ACCOUNT', 'CREATE_USER'], health: expect.any(Object) },
      { id: 'unleash', kind: 'UNLEASH', capabilities: ['CREATE_SERVICE_ACCOUNT', 'CREATE_USER'], health: expect.any(Object) },
      { id: 'versori', kind: 'VERSORI', capabilities: ['CREATE_SERVICE_ACCOUNT'], health: expect.any(Object) },
      { id: 'generic', kind: 'GENERIC', capabilities: ['CREATE_SERVICE_ACCOUNT'], health: expect.any(Object) },
    ]);
  });
});
