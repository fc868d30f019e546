import { startHarness, type Harness } from '../helpers/gateway.harness';

describe('HTTP surface', () => {
  let h: Harness;
  const base = () => h.url.replace(/\/graphql$/, '');
  beforeAll(async () => {
    h = await startHarness({ configure: (c) => (c.server = { ...c.server, maxBodyBytes: 4096 }) });
  });
  afterAll(() => h.close());

  it('GET of a mutation is 405', async () => {
    const q = encodeURIComponent('mutation { createServiceAccount(input: {name: "x"}) { status } }');
    const res = await fetch(`${h.url}?query=${q}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(res.status).toBe(405);
  });

  it('a GET query works (with a CSRF preflight header)', async () => {
    const res = await fetch(`${h.url}?query=${encodeURIComponent('{ providers { id } }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).data.providers).toHaveLength(4);
  });

  it('the landing page (playground off) names an empty icon, so a browser asks for no /favicon.ico; HEAD / says its length', async () => {
    const off = await startHarness({ configure: (c) => (c.server = { ...c.server, playground: false }) });
    try {
      const root = off.url.replace(/\/graphql$/, '/');
      const get = await fetch(root);
      const body = await get.text();
      expect(body).toContain('<link rel="icon" href="data:,">');
      const head = await fetch(root, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(body)));
    } finally {
      await off.close();
    }
  });

  it('a simple (CSRF-able) GET without a preflight header is refused', async () => {
    const res = await fetch(`${h.url}?query=${encodeURIComponent('{ providers { id } }')}`);
    expect(res.status).toBe(400);
  });

  it('a body over maxBodyBytes is 413 and never executed', async () => {
    const res = await fetch(h.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ providers { id } } #${'x'.repeat(5000)}` }),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('a body that is not valid UTF-8 is 400 BAD_REQUEST and nothing reaches a provider (decoding would alter the name)', async () => {
    const before = h.sandboxes.count();
    const [head, tail] = JSON.stringify({
      query: 'mutation { createServiceAccount(input: {name: "utf-bad", displayName: "ab@cd", providers: ["hoop"]}) { status } }',
    }).split('@');
    // 0xFF and 0xFE never occur in UTF-8.
    const bytes = Buffer.concat([Buffer.from(head), Buffer.from([0xff, 0xfe]), Buffer.from(tail)]);
    const res = await fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bytes });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).errors[0]).toMatchObject({ message: 'The request body is not valid UTF-8.', extensions: { code: 'BAD_REQUEST' } });
    expect(h.sandboxes.count()).toBe(before);
  });

  it('malformed JSON is 400', async () => {
    const res = await fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(res.status).toBe(400);
  });

  it("the gateway's own refusals answer in the type the client's Accept prefers, as Apollo's do", async () => {
    const refuse = (accept: string | undefined, body: string) =>
      fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}) }, body });
    for (const body of ['{"query": ', '[{"query":"{ viewer { id } }"}]']) {
      const spec = await refuse('application/graphql-response+json', body);
      expect([spec.status, spec.headers.get('content-type')]).toEqual([400, 'application/graphql-response+json; charset=utf-8']);
      expect(((await spec.json()) as any).errors[0].extensions.code).toBe('BAD_REQUEST');
      const both = await refuse('application/graphql-response+json, application/json;q=0.9', body);
      expect(both.headers.get('content-type')).toBe('application/graphql-response+json; charset=utf-8');
      for (const accept of [undefined, 'application/json', '*/*']) {
        expect((await refuse(accept, body)).headers.get('content-type')).toBe('application/json; charset=utf-8');
      }
    }
    // Apollo's own 400 for the same preference, for comparison: the same type.
    const apollo = await refuse('application/graphql-response+json', '{}');
    expect(apollo.headers.get('content-type')).toBe('application/graphql-response+json; charset=utf-8');
  });

  it('a GraphQL syntax error is 400 GRAPHQL_PARSE_FAILED; a validation error 400 GRAPHQL_VALIDATION_FAILED; no stack traces', async () => {
    const parse = await h.gql('mutation {');
    expect(parse.status).toBe(400);
    expect(parse.body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    const invalid = await h.gql('{ nope }');
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(parse.text + invalid.text).not.toContain('stacktrace');
  });

  it('introspection works (the playground and codegen need it)', async () => {
    const res = await h.gql('{ __schema { queryType { name } } }');
    expect(res.body.data.__schema.queryType.name).toBe('Query');
  });

  it('/healthz and /readyz answer; unknown routes are 404; / is a page for people', async () => {
    expect((await fetch(`${base()}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base()}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', store: 'memory' });
    expect((await fetch(`${base()}/nope`)).status).toBe(404);
    const home = await fetch(`${base()}/`);
    expect(home.headers.get('content-type')).toContain('text/html');
  });

  it('every response carries a request id, echoed when the client sends a sane one', async () => {
    const res = await fetch(h.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'trace-123' },
      body: JSON.stringify({ query: '{ viewer { id } }' }),
    });
    expect(res.headers.get('x-request-id')).toBe('trace-123');
    expect(((await res.json()) as any).data.viewer).toEqual({ id: 'anonymous' });
  });
});
