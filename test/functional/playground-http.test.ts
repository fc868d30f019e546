import { createHash } from 'node:crypto';
import { connect } from 'node:net';
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

  it('/graphql typed into a browser sends the person to / (Apollo answered a CSRF refusal in JSON); a client, a query string or a POST still reaches the API', async () => {
    const browser = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
    for (const method of ['GET', 'HEAD']) {
      const res = await fetch(h.url, { method, headers: { accept: browser }, redirect: 'manual' });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('/');
    }
    const followed = await fetch(h.url, { headers: { accept: browser } });
    expect(followed.url).toBe(`${base()}/`);
    expect(await followed.text()).toContain('mutation CreateServiceAccount');
    // Not a browser's navigation: Apollo's answers, as before.
    for (const accept of ['*/*', 'application/json', 'application/graphql-response+json, text/html;q=0.5']) {
      const res = await fetch(h.url, { headers: { accept }, redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('BAD_REQUEST');
    }
    const query = await fetch(`${h.url}?query=${encodeURIComponent('{ providers { id } }')}`, {
      headers: { accept: browser, 'apollo-require-preflight': 'true' },
      redirect: 'manual',
    });
    expect(query.status).toBe(200);
    expect(((await query.json()) as { data: { providers: unknown[] } }).data.providers.length).toBeGreaterThan(0);
    const post = await fetch(h.url, {
      method: 'POST',
      headers: { accept: browser, 'content-type': 'application/json' },
      body: '{"query":"{ providers { id } }"}',
    });
    expect(post.status).toBe(200);
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
      // Its example is for this gateway: its address, no Authorization header (none is required here).
      expect(html).toContain(`curl -s ${base}/graphql`);
      expect(html).not.toContain('authorization');
    } finally {
      await h.close();
    }
  });

  it('when the gateway requires a key, the example carries an Authorization header; a hostile Host is not echoed', async () => {
    const sha = createHash('sha256').update('k').digest('hex');
    const h = await startHarness({
      configure: (c) => {
        c.server = { ...c.server, playground: false };
        c.clients = [{ id: 'c', keySha256: sha, scopes: ['identity:read'] }];
      },
    });
    try {
      const base = h.url.replace(/\/graphql$/, '');
      const html = await (await fetch(`${base}/`)).text();
      expect(html).toContain(`curl -s ${base}/graphql`);
      expect(html).toContain("-H 'authorization: Bearer &lt;your API key or token&gt;'");
      const { answer } = await rawGet(h.gateway.port, 'GET / HTTP/1.1\r\nHost: <script>x</script>\r\nConnection: close\r\n\r\n');
      expect(answer).not.toContain('<script>');
      expect(answer).toContain('curl -s http://127.0.0.1:4000/graphql');
    } finally {
      await h.close();
    }
  });
});

function rawGet(port: number, request: string): Promise<{ answer: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let answer = '';
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('end', () => resolve({ answer }));
    socket.on('error', reject);
  });
}
