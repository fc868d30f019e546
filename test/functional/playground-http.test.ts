import { startHarness, type Harness } from '../helpers/gateway.harness';

describe('GET / and the playground files over HTTP', () => {
  let h: Harness;
  const base = () => h.url.replace(/\/graphql$/, '');
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('serves GraphiQL with a CSP that allows only the gateway itself and one nonce', async () => {
    const res = await fetch(`${base()}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy')!;
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/https?:|\*/);
    const html = await res.text();
    expect(html).toContain(`<script nonce="${nonce}">`);
    // The example tabs: the mutation, its dry run (same variables) and the audit trail.
    for (const op of ['mutation CreateServiceAccount', 'query PlanServiceAccount', 'query AuditEvents']) expect(html).toContain(op);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    // A fresh nonce per response.
    const again = (await fetch(`${base()}/`)).headers.get('content-security-policy');
    expect(again).not.toBe(csp);
  });

  it('every script and stylesheet the page names is served with its content type and a year-long cache', async () => {
    const html = await (await fetch(`${base()}/`)).text();
    const urls = [...html.matchAll(/(?:src|href)="(\/playground\/[^"]+)"/g)].map((m) => m[1]);
    expect(urls.map((u) => u.split('?')[0]).sort()).toEqual([
      '/playground/graphiql.min.css',
      '/playground/graphiql.min.js',
      '/playground/react-dom.production.min.js',
      '/playground/react.production.min.js',
    ]);
    for (const u of urls) {
      const res = await fetch(`${base()}${u}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(u.includes('.css') ? /^text\/css/ : /^text\/javascript/);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      const body = await res.text();
      expect(body.length).toBeGreaterThan(1000);
      const cached = await fetch(`${base()}${u}`, { headers: { 'if-none-match': res.headers.get('etag')! } });
      expect(cached.status).toBe(304);
    }
    expect((await fetch(`${base()}/playground/../package.json`)).status).toBe(404);
    expect((await fetch(`${base()}/playground/graphiql.js`)).status).toBe(404);
  });
});

describe('the playground can be switched off', () => {
  it.each([
    ['introspection: false', { introspection: false }],
    ['playground: false', { playground: false }],
  ])('with %s, GET / is a small page without GraphiQL and its files are 404', async (_label, server) => {
    const h = await startHarness({ configure: (c) => (c.server = { ...c.server, ...server }) });
    try {
      const base = h.url.replace(/\/graphql$/, '');
      const res = await fetch(`${base}/`);
      const html = await res.text();
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(html).not.toMatch(/graphiql/i);
      expect(html.length).toBeLessThan(2000);
      expect((await fetch(`${base}/playground/graphiql.min.js`)).status).toBe(404);
    } finally {
      await h.close();
    }
  });
});
