import { getIntrospectionQuery } from 'graphql';
import { CREATE_SA, CREATE_USER } from '../helpers/graphql.client';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxGatewayConfig, startSandboxes, type SandboxSet } from '../../src/sandbox/sandbox.set';
import { startHarness, uniqueName, type Harness } from '../helpers/gateway.harness';
import { spawnGateway, type GatewayProcess } from '../helpers/process.harness';
import { freePort } from '../helpers/redis.global-setup';

/** A raw POST: the body exactly as given. */
async function post(url: string, body: string, contentType = 'application/json') {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, body: json };
}

const nested = (levels: number) => `{ __schema { types { fields { type ${'{ ofType '.repeat(levels)}{ name }${' }'.repeat(levels)} } } } }`;

describe('query and input limits: each refused with a stable code, before anything runs upstream', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.sandboxes.reset());
  afterEach(() => {
    for (const s of h.sandboxes.all()) expect(s.count()).toBe(0);
  });

  const gqlPost = (query: string, variables?: unknown) => post(h.url, JSON.stringify({ query, variables }));

  function expectRefused(res: { status: number; body: any; text: string }, code: string, status = 400) {
    expect(res.status).toBe(status);
    expect(res.body.errors[0].extensions.code).toBe(code);
    expect(res.text).not.toContain('stacktrace');
  }

  it('the standard introspection query passes the depth limit (introspection fields counted)', async () => {
    const res = await gqlPost(getIntrospectionQuery());
    expect(res.status).toBe(200);
    expect(res.body.data.__schema.queryType.name).toBe('Query');
  });

  it('depth: an ofType chain deeper than 20 is GRAPHQL_VALIDATION_FAILED with the limit', async () => {
    expect((await gqlPost(nested(14))).status).toBe(200);
    const res = await gqlPost(nested(20));
    expectRefused(res, 'GRAPHQL_VALIDATION_FAILED');
    expect(res.body.errors[0].extensions.limit).toBe(20);
    expect(res.body.errors[0].message).toMatch(/depth/);
  });

  it('aliases: 31 are refused, 30 pass', async () => {
    const q = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: viewer { id }`).join(' ')} }`;
    expect((await gqlPost(q(30))).status).toBe(200);
    const res = await gqlPost(q(31));
    expectRefused(res, 'GRAPHQL_VALIDATION_FAILED');
    expect(res.body.errors[0].extensions.limit).toBe(30);
  });

  it('directives: more than 10 on a field are refused', async () => {
    const res = await gqlPost(`{ __typename ${'@include(if: true) '.repeat(11)} }`);
    expectRefused(res, 'GRAPHQL_VALIDATION_FAILED');
  });

  it('tokens: a 9,000-token query is refused while parsing', async () => {
    const query = `{ ${Array.from({ length: 3000 }, () => 'viewer { id }').join(' ')} }`;
    const res = await gqlPost(query);
    expectRefused(res, 'GRAPHQL_PARSE_FAILED');
    expect(res.body.errors[0].message).toMatch(/tokens/);
  });

  it('batched operations (a JSON array body) are a clear 400', async () => {
    const res = await post(h.url, JSON.stringify([{ query: '{ viewer { id } }' }, { query: '{ viewer { id } }' }]));
    expectRefused(res, 'BAD_REQUEST');
    expect(res.body.errors[0].message).toMatch(/one GraphQL operation per request/);
  });

  it('CSRF prevention stays on: a text/plain simple request is refused', async () => {
    const res = await post(h.url, JSON.stringify({ query: CREATE_SA, variables: { input: { name: uniqueName('csrf') } } }), 'text/plain');
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/CSRF|preflight|content-type/i);
  });

  it('an alias flood of a read query (15k aliased providers, 0.9 MB) is refused cheaply with a small answer', async () => {
    const query = `{ ${Array.from({ length: 15_000 }, (_, i) => `p${i}: providers { id kind }`).join(' ')} }`;
    expect(query.length).toBeGreaterThan(400_000);
    const res = await gqlPost(query);
    expectRefused(res, 'GRAPHQL_PARSE_FAILED');
    expect(res.text.length).toBeLessThan(2000);
  });

  it('260k empty hoop.groups items: refused before coercion, with a small answer', async () => {
    const res = await gqlPost(CREATE_SA, { input: { name: uniqueName('flood'), providers: ['hoop'], hoop: { groups: Array(260_000).fill('') } } });
    expectRefused(res, 'BAD_USER_INPUT');
    expect(res.body.errors[0].message).toMatch(/variables\.input\.hoop\.groups: a list may have at most 100 items/);
    expect(res.text.length).toBeLessThan(2000);
  });

  it('a list inside the limit reports its first bad item only, not one problem per item', async () => {
    const res = await gqlPost(CREATE_SA, { input: { name: uniqueName('items'), providers: ['hoop'], hoop: { groups: Array(50).fill('') } } });
    expect(res.body.errors[0].extensions.problems).toEqual([{ field: 'hoop.groups[0]', message: 'must not be empty' }]);
  });

  it('900 unknown provider ids in a literal are not echoed back', async () => {
    const ids = Array.from({ length: 900 }, (_, i) => `"ghost-provider-${i}"`).join(', ');
    const res = await gqlPost(`mutation { createServiceAccount(input: { name: "${uniqueName('ghosts')}", providers: [${ids}] }) { status } }`);
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'providers' });
    expect(res.text).not.toContain('ghost-provider-17');
    expect(res.text.length).toBeLessThan(2000);
  });

  it('unknown ids are echoed five at a time, then counted', async () => {
    const res = await gqlPost(CREATE_SA, { input: { name: uniqueName('ghosts'), providers: ['hoop', ...Array.from({ length: 9 }, (_, i) => `nope-${i}`)] } });
    const message = res.body.errors[0].extensions.problems[0].message;
    expect(message).toMatch(/"nope-4" and 4 more$/);
    expect(message).not.toContain('nope-5');
  });

  it('a provider named twice is BAD_USER_INPUT (it used to be merged silently)', async () => {
    const res = await gqlPost(CREATE_SA, { input: { name: uniqueName('dup'), providers: ['hoop', 'hoop'] } });
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'providers' });
    expect(res.body.errors[0].message).toMatch(/twice/);
  });

  it('overlong strings are refused by length', async () => {
    const res = await gqlPost(CREATE_USER, { input: { email: 'long@example.com', name: 'n'.repeat(10_000), providers: ['hoop'] } });
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
  });
});

describe('the cost limit and introspection off', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ configure: (c) => (c.server = { ...c.server, introspection: false, limits: { cost: 100 } }) });
  });
  afterAll(() => h.close());

  it('a query over server.limits.cost is GRAPHQL_VALIDATION_FAILED with the limit', async () => {
    const query = `{ ${Array.from({ length: 20 }, (_, i) => `p${i}: providers { id kind capabilities health { state } }`).join(' ')} }`;
    const res = await post(h.url, JSON.stringify({ query }));
    expect(res.status).toBe(400);
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 100 });
  });

  it('with introspection off, introspection is refused and errors suggest no field names', async () => {
    const intro = await post(h.url, JSON.stringify({ query: getIntrospectionQuery() }));
    expect(intro.status).toBe(400);
    expect(intro.body.errors[0]).toMatchObject({
      message: 'Introspection is off on this gateway (server.introspection in its config; off by default when NODE_ENV=production).',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    const typo = await post(h.url, JSON.stringify({ query: '{ provider { id } }' }));
    expect(typo.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(typo.text).not.toMatch(/Did you mean/);
  });

  it('with introspection off, a variable that fails coercion is refused without suggesting the enum values or fields it missed', async () => {
    const query = 'query($o: IdentityOperation!) { idempotencyRecord(key: "k", operation: $o) { key } }';
    const enumTypo = await post(h.url, JSON.stringify({ query, variables: { o: 'CREATE_USR' } }));
    expect(enumTypo.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(enumTypo.body.errors[0].message).toMatch(/does not exist in "IdentityOperation" enum\.$/);
    expect(enumTypo.text).not.toMatch(/Did you mean|CREATE_USER/);
    const fieldTypo = await post(
      h.url,
      JSON.stringify({
        query: 'mutation($i: CreateServiceAccountInput!) { createServiceAccount(input: $i) { status } }',
        variables: { i: { name: 'x', displayNam: 'y' } },
      }),
    );
    expect(fieldTypo.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(fieldTypo.text).not.toMatch(/Did you mean|displayName/);
  });
});

describe('cheap to refuse: a gateway in its own process stays responsive under hostile floods', () => {
  let sandboxes: SandboxSet;
  let gw: GatewayProcess;
  let url: string;
  beforeAll(async () => {
    sandboxes = await startSandboxes();
    const file = join(mkdtempSync(join(tmpdir(), 'idgw-flood-')), 'gateway.json');
    writeFileSync(file, JSON.stringify(sandboxGatewayConfig(sandboxes)));
    const port = await freePort();
    gw = spawnGateway({ ...sandboxes.tokens, GATEWAY_CONFIG: file, PORT: String(port), REDIS_URL: undefined });
    await gw.ready;
    url = `http://127.0.0.1:${port}/graphql`;
  }, 60_000);
  afterAll(async () => {
    await gw.kill();
    await sandboxes.stop();
  });

  const gqlPost = (query: string) => post(url, JSON.stringify({ query }));

  // How fast /healthz stays is measured by no test (timings on two shared cores are noise); what is asserted is
  // what makes it stay fast: every hostile request is refused by a limit (the parser's, input validation's).
  it('/healthz keeps answering while 8 hostile requests run in parallel, each refused by a limit, nothing sent upstream', async () => {
    const flood = `{ ${Array.from({ length: 15_000 }, (_, i) => `p${i}: providers { id kind }`).join(' ')} }`;
    const groups = JSON.stringify({ query: CREATE_SA, variables: { input: { name: 'x', hoop: { groups: Array(260_000).fill('') } } } });
    const health = url.replace('/graphql', '/healthz');
    const refusals = new Map<string, number>();
    let running = true;
    const hostile = Array.from({ length: 8 }, async (_, i) => {
      while (running) {
        const res = await (i % 2 ? post(url, groups) : gqlPost(flood));
        const seen = `${res.status} ${res.body?.errors?.[0]?.extensions?.code}`;
        refusals.set(seen, (refusals.get(seen) ?? 0) + 1);
      }
    });
    for (let i = 0; i < 15; i++) {
      expect((await fetch(health)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 50));
    }
    running = false;
    await Promise.all(hostile);
    // The alias flood stops at the parser's token limit, the 260,000-item list at input validation.
    expect(Object.fromEntries(refusals)).toEqual({ '400 GRAPHQL_PARSE_FAILED': expect.any(Number), '400 BAD_USER_INPUT': expect.any(Number) });
    expect(sandboxes.count()).toBe(0);
  });

  it('nothing of the floods reached a provider', () => {
    for (const s of sandboxes.all()) expect(s.count()).toBe(0);
  });
});
