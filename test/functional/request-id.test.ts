import { PolicyBook } from '../../src/auth/client.policy';
import { startHarness, uniqueName, type Harness } from '../helpers/gateway.harness';
import { CREATE_SA } from '../helpers/graphql.client';

/**
 * Every error carries the request id of its exchange (docs/errors.md), carried without
 * AsyncLocalStorage (docs/performance.md): from the operation's context, from the HTTP bridge for
 * refusals Apollo answers before any plugin, and from the response header in the HTTP layer.
 */
describe('request ids on every error, and uncacheable answers', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ configure: (c) => (c.server = { ...c.server, maxBodyBytes: 4096 }) });
  });
  afterAll(() => h.close());

  const logLinesWith = (text: string) =>
    h
      .logs()
      .split('\n')
      .filter((l) => l.includes(text));

  async function post(body: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { res, json: (await res.json()) as { data?: any; errors?: Array<{ message: string; extensions: Record<string, unknown> }> } };
  }

  it('an executed error (CONFLICT) carries the id the client sent, the same as the x-request-id header', async () => {
    const input = { name: uniqueName('rid'), providers: ['generic'] };
    expect((await post({ query: CREATE_SA, variables: { input } })).json.errors).toBeUndefined();
    const { res, json } = await post({ query: CREATE_SA, variables: { input } }, { 'x-request-id': 'client-chosen-id-1' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('client-chosen-id-1');
    expect(json.errors![0].extensions).toMatchObject({ code: 'CONFLICT', requestId: 'client-chosen-id-1' });
  });

  it('parse and validation errors carry the generated id of their exchange', async () => {
    for (const query of ['mutation {', '{ nope }']) {
      const { res, json } = await post({ query });
      expect(res.status).toBe(400);
      const id = res.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(json.errors!.map((e) => e.extensions.requestId)).toEqual(json.errors!.map(() => id));
    }
  });

  it('refusals Apollo answers before running the operation (CSRF, a GET mutation, no query) carry it too', async () => {
    const csrf = await fetch(`${h.url}?query=${encodeURIComponent('{ providers { id } }')}`);
    const getMutation = await fetch(`${h.url}?query=${encodeURIComponent('mutation { createServiceAccount(input: {name: "x"}) { status } }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    const noQuery = await fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"variables": {}}' });
    for (const [res, status] of [
      [csrf, 400],
      [getMutation, 405],
      [noQuery, 400],
    ] as const) {
      expect(res.status).toBe(status);
      const body = (await res.json()) as { errors: Array<{ extensions: Record<string, unknown> }> };
      expect(body.errors.length).toBeGreaterThan(0);
      for (const e of body.errors) expect(e.extensions.requestId).toBe(res.headers.get('x-request-id'));
    }
  });

  it("the HTTP layer's own refusals (413) carry it", async () => {
    const { res, json } = await post({ query: `{ providers { id } } #${'x'.repeat(5000)}` }, { 'x-request-id': 'big-body-2' });
    expect(res.status).toBe(413);
    expect(json.errors![0].extensions).toEqual({ code: 'PAYLOAD_TOO_LARGE', requestId: 'big-body-2' });
  });

  it('an unexpected error is masked for the client and logged in full with its request id', async () => {
    const store = h.gateway.store as unknown as { claim: (...args: unknown[]) => Promise<unknown> };
    const claim = store.claim;
    store.claim = async () => {
      throw new Error('a bug deep in the store: internal detail 42');
    };
    try {
      const { res, json } = await post(
        { query: CREATE_SA, variables: { input: { name: uniqueName('bug'), providers: ['generic'] } } },
        { 'x-request-id': 'bug-3' },
      );
      expect(res.status).toBe(200);
      expect(json.errors![0]).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'bug-3' } });
      expect(JSON.stringify(json)).not.toContain('internal detail 42');
      const [line] = logLinesWith('internal detail 42');
      expect(line).toBeDefined();
      expect(JSON.parse(line!)).toMatchObject({ level: 50, requestId: 'bug-3', msg: 'unexpected error' });
      // Once: a log pipeline may refuse a line with a repeated key.
      expect(line!.match(/"requestId"/g)).toHaveLength(1);
      expect(JSON.parse(line!).err.stack).toContain('a bug deep in the store');
    } finally {
      store.claim = claim;
    }
  });

  it('a failure to build the context is masked, answered with the request id and logged once with it', async () => {
    const forClient = PolicyBook.prototype.forClient;
    PolicyBook.prototype.forClient = () => {
      throw new Error('context bug: internal detail 7');
    };
    try {
      const { res, json } = await post({ query: '{ providers { id } }' }, { 'x-request-id': 'ctx-4' });
      expect(res.status).toBe(500);
      expect(json.errors![0]).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'ctx-4' } });
      expect(JSON.stringify(json)).not.toContain('internal detail 7');
      const lines = logLinesWith('internal detail 7');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0])).toMatchObject({ level: 50, requestId: 'ctx-4', msg: 'unexpected error' });
      expect(lines[0].match(/"requestId"/g)).toHaveLength(1);
    } finally {
      PolicyBook.prototype.forClient = forClient;
    }
  });

  it('executed answers are marked no-store: they can carry one-time credentials', async () => {
    const created = await post({ query: CREATE_SA, variables: { input: { name: uniqueName('ns'), providers: ['generic'] } } });
    expect(created.json.data.createServiceAccount.status).toBe('SUCCEEDED');
    expect(created.res.headers.get('cache-control')).toBe('no-store');
    const query = await post({ query: '{ providers { id } }' });
    expect(query.res.headers.get('cache-control')).toBe('no-store');
  });

  it('refusals are no-store too, whichever layer answers them', async () => {
    const json = { 'content-type': 'application/json' };
    const refusals: Array<[string, number, RequestInit & { path?: string }]> = [
      ['invalid JSON', 400, { method: 'POST', headers: json, body: '{' }],
      ['a batch', 400, { method: 'POST', headers: json, body: '[{"query":"{ viewer { id } }"}]' }],
      ['a body over maxBodyBytes', 413, { method: 'POST', headers: json, body: JSON.stringify({ query: `{ viewer { id } } #${'x'.repeat(5000)}` }) }],
      ['another content encoding', 415, { method: 'POST', headers: { ...json, 'content-encoding': 'gzip' }, body: '{}' }],
      ['PUT', 405, { method: 'PUT', headers: json, body: '{}' }],
      ['an unknown path', 404, { method: 'GET', path: '/nope' }],
      // Apollo's own refusals, answered before any plugin runs:
      ['a text/plain POST (CSRF prevention)', 400, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"query":"{ viewer { id } }"}' }],
      ['a POST without a body', 400, { method: 'POST', headers: json }],
    ];
    for (const [what, status, { path, ...init }] of refusals) {
      const res = await fetch(new URL(path ?? '/graphql', h.url), init);
      await res.arrayBuffer();
      expect({ what, status: res.status, cacheControl: res.headers.get('cache-control') }).toEqual({ what, status, cacheControl: 'no-store' });
    }
    for (const path of ['/healthz', '/readyz']) expect((await fetch(new URL(path, h.url))).headers.get('cache-control')).toBe('no-store');
  });

  it("the landing page (it names the host it was reached at), /metrics and the redirect from /graphql are no-store: no shared cache serves one caller's copy to another", async () => {
    const off = await startHarness({ configure: (c) => (c.server = { ...c.server, playground: false }) });
    try {
      const landing = await fetch(new URL('/', off.url));
      expect(await landing.text()).toContain('/graphql');
      expect([landing.status, landing.headers.get('cache-control'), landing.headers.get('x-content-type-options')]).toEqual([200, 'no-store', 'nosniff']);
      // Nothing on the page may load or run: it is text and a few links.
      expect(landing.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
      const metrics = await fetch(new URL('/metrics', off.url));
      await metrics.arrayBuffer();
      expect([metrics.status, metrics.headers.get('cache-control')]).toEqual([200, 'no-store']);
      const redirect = await fetch(off.url, { headers: { accept: 'text/html' }, redirect: 'manual' });
      await redirect.arrayBuffer();
      expect([redirect.status, redirect.headers.get('cache-control')]).toEqual([302, 'no-store']);
    } finally {
      await off.close();
    }
  });
});
