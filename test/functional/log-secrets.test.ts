import { createHash } from 'node:crypto';
import { exportSPKI, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { CREATE_SA, CREATE_USER } from '../helpers/graphql.client';
import { startHarness, uniqueName, type Harness } from '../helpers/gateway.harness';

const API_KEY = 'log-test-api-key-5f1e2d3c4b5a69788796';

describe('a full run leaves no secret in the log', () => {
  let h: Harness;
  let privateKey: KeyLike;
  const secrets = new Set<string>();

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const publicKey = await exportSPKI(pair.publicKey);
    h = await startHarness({
      configure: (c) => {
        c.clients = [{ id: 'ci', keySha256: createHash('sha256').update(API_KEY).digest('hex'), scopes: ['identity:read', 'identity:write'] }];
        c.jwt = { publicKey, issuer: 'https://idp.test', audience: 'identity-gateway' };
      },
    });
    for (const t of Object.values(h.sandboxes.tokens)) secrets.add(t);
    secrets.add(API_KEY);
  });
  afterAll(() => h.close());

  const jwt = (opts: { aud?: string } = {}) =>
    new SignJWT({ scope: 'identity:read identity:write' })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer('https://idp.test')
      .setAudience(opts.aud ?? 'identity-gateway')
      .setSubject('log-test-svc')
      .setExpirationTime('5m')
      .sign(privateKey);

  function collect(results: any[]) {
    for (const r of results ?? []) for (const c of r.credentials ?? []) secrets.add(c.secret);
  }

  it('creates, a user with a password, failing providers, bad keys, bad and good JWTs', async () => {
    const good = await jwt();
    const badAudience = await jwt({ aud: 'elsewhere' });
    secrets.add(good);
    secrets.add(badAudience);
    const auth = { authorization: `Bearer ${API_KEY}` };

    const sa = await h.gql(CREATE_SA, { input: { name: uniqueName('logs') } }, auth);
    expect(sa.body.data.createServiceAccount.status).toBe('SUCCEEDED');
    collect(sa.body.data.createServiceAccount.results);

    const password = 'Pa55-word-that-must-never-be-logged!';
    secrets.add(password);
    const user = await h.gql(
      CREATE_USER,
      { input: { email: `${uniqueName('u')}@example.com`, name: 'Log User', providers: ['hoop', 'unleash'], hoop: { password } } },
      { authorization: `Bearer ${good}` },
    );
    expect(user.body.data.createUser.status).toBe('SUCCEEDED');
    collect(user.body.data.createUser.results);

    h.sandboxes.versori.inject({ response: { status: 500, body: 'ERROR: relation "tokens" at /srv/app.js:42' } as any });
    h.sandboxes.generic.inject({ reset: true });
    const failing = await h.gql(CREATE_SA, { input: { name: uniqueName('logs'), providers: ['versori', 'generic', 'unleash'] } }, auth);
    expect(failing.body.data.createServiceAccount.status).toBe('PARTIAL');
    collect(failing.body.data.createServiceAccount.results);

    for (const bad of ['wrong-api-key-1234567890', badAudience, `${good.slice(0, -4)}AAAA`]) {
      secrets.add(bad);
      expect((await h.gql('{ viewer { id } }', undefined, { authorization: `Bearer ${bad}` })).status).toBe(401);
    }
    expect((await h.gql('{ viewer { id } }', undefined, { authorization: `Bearer ${good}` })).body.data.viewer.id).toBe('log-test-svc');

    const kinds = [...secrets].length;
    expect(kinds).toBeGreaterThan(10);
    // Unleash PAT, Versori client secret, invite links: the run really produced secrets worth leaking.
    expect([...secrets].some((s) => /^https?:\/\//.test(s))).toBe(true);

    const logs = h.logs();
    expect(logs.length).toBeGreaterThan(0);
    for (const line of logs.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    const leaked = [...secrets].filter((s) => logs.includes(s));
    expect(leaked).toEqual([]);
  });
});
