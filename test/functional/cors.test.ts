import { startHarness, type Harness } from '../helpers/gateway.harness';
import { type ConfigError } from '../../src/config/config.error';
import { resolveConfig } from '../../src/config/config.loader';

const APP = 'https://app.example.com';

describe('CORS for listed origins only', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ configure: (c) => (c.server = { ...c.server, cors: { origins: [APP, 'http://127.0.0.1:3000'] } }) });
  });
  afterAll(() => h.close());

  const preflight = (origin: string) =>
    fetch(h.url, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });

  it('a preflight from a listed origin is 204 with exactly that origin, the methods, headers and a max age', async () => {
    const res = await preflight(APP);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    expect(res.headers.get('vary')).toMatch(/\bOrigin\b/);
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST, OPTIONS');
    expect(res.headers.get('access-control-allow-headers')).toBe('authorization, content-type, idempotency-key, x-request-id, apollo-require-preflight');
    expect(Number(res.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('the real request from a listed origin carries the origin, Vary and the exposed request id', async () => {
    const res = await h.gql('{ providers { id } }', undefined, { origin: APP });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    expect(res.headers.get('access-control-expose-headers')).toBe('x-request-id, retry-after');
    const vary = res.headers.get('vary')!;
    expect(vary).toMatch(/\bOrigin\b/);
    expect(res.body.data.providers).toHaveLength(4);
  });

  it.each(['https://evil.example.com', 'https://app.example.com.evil.com', 'http://app.example.com', 'null'])(
    '%s gets no CORS header at all',
    async (origin) => {
      const pre = await preflight(origin);
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
      expect(pre.headers.get('access-control-allow-methods')).toBeNull();
      const real = await h.gql('{ providers { id } }', undefined, { origin });
      expect(real.headers.get('access-control-allow-origin')).toBeNull();
    },
  );

  it('without any configured origin, no response carries CORS headers', async () => {
    const plain = await startHarness();
    try {
      const res = await fetch(plain.url, { method: 'OPTIONS', headers: { origin: APP, 'access-control-request-method': 'POST' } });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      // Refused as an unlisted origin is when some are listed (the README's promise), not as an unknown method.
      expect(res.status).toBe(204);
      expect([...res.headers.keys()].filter((k) => k.startsWith('access-control-'))).toEqual([]);
      const real = await plain.gql('{ providers { id } }', undefined, { origin: APP });
      expect(real.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await plain.close();
    }
  });
});

describe('server.cors.origins validation', () => {
  const provider = { id: 'hoop', kind: 'hoop', baseUrl: 'https://use.hoop.dev/api', tokenEnv: 'HOOP_TOKEN' };
  const problems = (origins: unknown[]) => {
    try {
      resolveConfig({ server: { cors: { origins } }, providers: [provider] }, { HOOP_TOKEN: 't' });
      return [];
    } catch (err) {
      return (err as ConfigError).problems.map((p) => p.path);
    }
  };
  it('accepts exact origins and refuses wildcards, paths and non-http schemes, naming each', () => {
    expect(problems(['https://app.example.com', 'http://127.0.0.1:5173'])).toEqual([]);
    expect(
      problems(['*', 'https://*.example.com', 'https://app.example.com/', 'https://app.example.com/path', 'ftp://x.example.com', 'app.example.com']),
    ).toEqual([0, 1, 2, 3, 4, 5].map((i) => `server.cors.origins.${i}`));
  });
});
