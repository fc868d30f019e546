import { UnleashSandbox } from '../../src/sandbox/unleash.sandbox';
import { unleashBehaviour } from '../shared/unleash.behaviour';

/** The Unleash sandbox against the same behaviour suite a real unleash-server 8.2.0 passes (npm run test:unleash). */
describe('Unleash sandbox (open-source edition)', () => {
  const sandbox = new UnleashSandbox({ adminToken: '*:*.sandbox-admin-token', edition: 'oss' });
  beforeAll(() => sandbox.start());
  afterAll(() => sandbox.stop());
  unleashBehaviour(() => ({ baseUrl: sandbox.baseUrl, adminToken: '*:*.sandbox-admin-token' }));

  it('rate limit: 20 user creations per minute per client IP, failed ones included; then an HTML 429 with Retry-After', async () => {
    const post = (body: unknown) =>
      fetch(`${sandbox.baseUrl}/api/admin/user-admin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: '*:*.sandbox-admin-token', 'x-forwarded-for': '192.0.2.77, 10.0.0.1' },
        body: JSON.stringify(body),
      });
    for (let i = 0; i < 19; i++) expect((await post({ email: `rl${i}@example.com`, rootRole: 3 })).status).toBe(201);
    expect((await post({ rootRole: 3 })).status).toBe(400); // a failed create counts
    const limited = await post({ email: 'rl-last@example.com', rootRole: 3 });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toMatch(/text\/html/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.text()).toBe('Too many requests, please try again later.');
  });
});
