import { createHash } from 'node:crypto';
import { CREATE_SA } from '../helpers/graphql.client';
import { startHarness, uniqueName, type Harness } from '../helpers/gateway.harness';

/** What an adversarial review found cheap to send and expensive (or wrong) to answer. */
describe('hostile requests stay cheap and honest', () => {
  let h: Harness;
  const AUDITOR = { authorization: 'Bearer auditor-key' };
  beforeAll(async () => {
    h = await startHarness({
      redis: true,
      configure: (c) =>
        (c.clients = [
          { id: 'auditor', keySha256: createHash('sha256').update('auditor-key').digest('hex'), scopes: ['identity:read', 'identity:write', 'identity:audit'] },
        ]),
    });
  });
  afterAll(() => h.close());

  it('an input object with thousands of invented fields is refused before coercion, with a small answer', async () => {
    const input: Record<string, unknown> = { name: uniqueName('wide') };
    for (let i = 0; i < 20_000; i++) input[`k${i}`] = 1;
    const res = await h.gql(CREATE_SA, { input }, AUDITOR);
    expect(res.status).toBe(400);
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors[0].message).toMatch(/variables\.input: an input object may have at most 40 fields/);
    expect(res.text.length).toBeLessThan(2_000);
  });

  it('a few invented fields are each a coercion error, never an internal one', async () => {
    const input: Record<string, unknown> = { name: uniqueName('wide') };
    for (let i = 0; i < 30; i++) input[`k${i}`] = 1;
    const res = await h.gql(CREATE_SA, { input }, AUDITOR);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: any) => e.extensions.code)).not.toContain('INTERNAL_SERVER_ERROR');
  });

  it('invented fields with large values: one small error naming them, no copy of the value', async () => {
    // graphql-js would answer each unknown field with a copy of the whole object: here 30 × 600 KB.
    const filler = 'v'.repeat(20_000);
    const sent = () => h.sandboxes.count();
    const before = sent();
    const input: Record<string, unknown> = { name: uniqueName('amp') };
    for (let i = 0; i < 30; i++) input[`bogus${i}`] = `${i}-${filler}`;
    const res = await h.gql(CREATE_SA, { input }, AUDITOR);
    expect(res.status).toBe(400);
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'bogus0' });
    expect(res.body.errors[0].message).toMatch(
      /^Variable "\$input" got invalid value at "input\.bogus0"; Field "bogus0" is not defined by type "CreateServiceAccountInput"\. Also not defined: "input\.bogus1", .* and more\.$/,
    );
    expect(res.text).not.toContain('vvvvvvvvvv');
    expect(res.text.length).toBeLessThan(2_000);
    expect(sent()).toBe(before);
  });

  it('an invented field inside an object in the input, or in another variable, is named by its path', async () => {
    const nested = await h.gql(CREATE_SA, { input: { name: uniqueName('nest'), hoop: { groups: ['a'], colour: 'x'.repeat(300) } } }, AUDITOR);
    expect(nested.status).toBe(400);
    expect(nested.body.errors[0].extensions.field).toBe('hoop.colour');
    expect(nested.text).not.toContain('xxxxxxxxxx');
    const filter = await h.gql('query($f: AuditFilter) { auditEvents(filter: $f) { edges { cursor } } }', { f: { clientId: 'a', nope: 1 } }, AUDITOR);
    expect(filter.status).toBe(400);
    expect(filter.body.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'nope' } });
  });

  it('a query repeating one field a thousand times is refused with a message that says why', async () => {
    const res = await h.gql(`{ ${Array(1000).fill('__typename').join(' ')} }`, undefined, AUDITOR);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.body.errors[0].message).toMatch(/^Validation aborted: the operation repeats too many fields/);
  });

  it('a long variable name is cut in the answer, as field names are', async () => {
    const name = `v${'x'.repeat(3000)}`;
    const res = await h.gql(
      `mutation($${name}: CreateServiceAccountInput!) { createServiceAccount(input: $${name}) { status } }`,
      {
        [name]: { name: uniqueName('long'), a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 },
      },
      AUDITOR,
    );
    expect(res.status).toBe(400);
    expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(res.text.length).toBeLessThan(2_000);
  });

  it('a GET carries its variables through the same checks as a POST body', async () => {
    const input: Record<string, unknown> = { name: uniqueName('get') };
    for (let i = 0; i < 60; i++) input[`k${i}`] = 1;
    const url = new URL(h.url);
    url.searchParams.set('query', 'query($input: CreateServiceAccountInput!) { planServiceAccount(input: $input) { wouldSend } }');
    url.searchParams.set('variables', JSON.stringify({ input }));
    const res = await fetch(url, { headers: { ...AUDITOR, 'apollo-require-preflight': '1' } });
    const body = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(res.status).toBe(400);
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0].message).toMatch(/variables\.input: an input object may have at most 40 fields/);
  });

  it('a subscription is a validation error, and invented root fields never become metric labels', async () => {
    for (const name of ['anything', 'x'.repeat(500), 'f123']) {
      const res = await h.gql(`subscription { ${name} }`, undefined, AUDITOR);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    }
    const metrics = await (await fetch(h.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).not.toContain('anything');
    expect(metrics).not.toContain('xxxxxxxxxx');
    expect(h.logs()).not.toMatch(/"level":50/);
  });

  it('an audit cursor at the very first entry is an empty page, not a store outage', async () => {
    const res = await h.gql('{ auditEvents(first: 2, after: "0-0:0") { edges { cursor } pageInfo { hasNextPage } } }', undefined, AUDITOR);
    expect(res.status).toBe(200);
    expect(res.body.data.auditEvents).toEqual({ edges: [], pageInfo: { hasNextPage: false } });
  });

  it('a compressed body or another charset is refused (415), not misread', async () => {
    for (const headers of [
      { 'content-encoding': 'gzip' },
      { 'content-type': 'application/json; charset=utf-16' },
      // A second charset, or spaces around `=`, used to pass.
      { 'content-type': 'application/json; charset=utf-8; charset=latin1' },
      { 'content-type': 'application/json;charset= latin1' },
      { 'content-type': 'application/json; charset=' },
    ] as Array<Record<string, string>>) {
      const res = await fetch(h.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...AUDITOR, ...headers },
        body: JSON.stringify({ query: '{ viewer { id } }' }),
      });
      expect(res.status).toBe(415);
      expect(((await res.json()) as any).errors[0].extensions.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    for (const contentType of ['application/json; charset=UTF-8', 'application/json; charset="utf-8"', 'application/json;charset=utf8']) {
      const res = await fetch(h.url, {
        method: 'POST',
        headers: { 'content-type': contentType, ...AUDITOR },
        body: JSON.stringify({ query: '{ viewer { id } }' }),
      });
      expect(res.status).toBe(200);
    }
  });

  it('health, readiness and metrics answer GET and HEAD only, and carry no CORS headers', async () => {
    const base = h.url.replace('/graphql', '');
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const res = await fetch(base + path, { method: 'POST' });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
    }
  });
});
