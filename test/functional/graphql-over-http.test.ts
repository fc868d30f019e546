import { createHash } from 'node:crypto';
import { serverAudits, type AuditResult } from 'graphql-http';
import { startHarness, uniqueName, type Harness } from '../helpers/gateway.harness';

describe('GraphQL over HTTP (graphql-http audit suite)', () => {
  let h: Harness;
  let results: AuditResult[];
  beforeAll(async () => {
    h = await startHarness();
    results = [];
    for (const audit of serverAudits({ url: () => h.url, fetchFn: fetch })) results.push(await audit.fn());
  });
  afterAll(() => h.close());

  it('answers application/graphql-response+json when asked, with 400 for a request that cannot execute', async () => {
    const accept = 'application/graphql-response+json, application/json;q=0.9';
    const ok = await fetch(h.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept },
      body: JSON.stringify({ query: '{ providers { id } }' }),
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/graphql-response+json; charset=utf-8');
    expect(((await ok.json()) as any).data.providers).toHaveLength(4);
    const bad = await fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify({ query: '{' }) });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toBe('application/graphql-response+json; charset=utf-8');
  });

  it('refuses an Accept it cannot answer (406 NOT_ACCEPTABLE) before a mutation runs: nothing is created, and the key stays free', async () => {
    h.sandboxes.reset();
    const name = uniqueName('accept');
    const body = JSON.stringify({
      query: `mutation { createServiceAccount(input: { name: "${name}", idempotencyKey: "${name}" }) { status results { __typename } } }`,
    });
    for (const accept of ['text/html', 'application/xml', 'application/json;q=0, text/plain', 'multipart/mixed; deferSpec=20220824']) {
      const res = await fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body });
      expect({ accept, status: res.status }).toEqual({ accept, status: 406 });
      expect(((await res.json()) as any).errors[0].extensions.code).toBe('NOT_ACCEPTABLE');
    }
    for (const s of h.sandboxes.all()) expect(s.count()).toBe(0);
    // The key was never claimed: the same request with an Accept the gateway can answer creates, once.
    const ok = await fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json; charset=utf-8' }, body });
    expect(((await ok.json()) as any).data.createServiceAccount.status).toBe('SUCCEEDED');
  });

  it('passes every MUST audit', () => {
    const errors = results.filter((r) => r.status === 'error').map((r) => `${r.id} ${r.name}: ${'reason' in r ? r.reason : ''}`);
    expect(errors).toEqual([]);
  });

  it('has only the warnings the README lists as accepted', () => {
    const warnings = results
      .filter((r) => r.status === 'warn')
      .map((r) => r.id)
      .sort();
    expect(warnings).toEqual(ACCEPTED_WARNINGS.map((w) => w.id).sort());
  });
});

/** Each entry is explained in the README's "GraphQL over HTTP" section. */
const ACCEPTED_WARNINGS: Array<{ id: string; why: string }> = [
  { id: '572B', why: 'a parse failure is 400 even for legacy application/json clients: errors before execution are 4xx' },
  { id: 'FDE2', why: 'a validation failure is 400 even for legacy application/json clients' },
  { id: '7B9B', why: 'a variable coercion failure is 400 even for legacy application/json clients' },
];

describe('automatic persisted queries', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('an unknown hash is PERSISTED_QUERY_NOT_FOUND; query + hash registers it; the hash alone then runs it', async () => {
    const query = `{ providers { id kind } } # apq ${Date.now()}`;
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const extensions = { persistedQuery: { version: 1, sha256Hash } };
    const post = (body: unknown) => fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    const miss = (await (await post({ extensions })).json()) as any;
    expect(miss.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');

    const register = (await (await post({ query, extensions })).json()) as any;
    expect(register.data.providers).toHaveLength(4);

    const hit = (await (await post({ extensions })).json()) as any;
    expect(hit.errors).toBeUndefined();
    expect(hit.data).toEqual(register.data);

    // A CDN-friendly GET with the hash alone works too (with the CSRF preflight header).
    const params = new URLSearchParams({ extensions: JSON.stringify(extensions) });
    const get = await fetch(`${h.url}?${params}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(((await get.json()) as any).data).toEqual(register.data);
  });

  it('a query whose hash does not match is refused', async () => {
    const res = await fetch(h.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ viewer { id } }', extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as any;
    expect(body.errors[0]).toMatchObject({ message: 'provided sha does not match query', extensions: { code: 'BAD_REQUEST' } });
  });
});
