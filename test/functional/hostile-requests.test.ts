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
    for (const headers of [{ 'content-encoding': 'gzip' }, { 'content-type': 'application/json; charset=utf-16' }] as Array<Record<string, string>>) {
      const res = await fetch(h.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...AUDITOR, ...headers },
        body: JSON.stringify({ query: '{ viewer { id } }' }),
      });
      expect(res.status).toBe(415);
      expect(((await res.json()) as any).errors[0].extensions.code).toBe('UNSUPPORTED_MEDIA_TYPE');
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
