import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { CREATE_SA } from '../helpers/graphql.client';
import { startHarness, uniqueName, type Harness } from '../helpers/gateway.harness';
import { sample, scrape } from '../helpers/metrics.scrape';

const API_KEY = 'auth-test-api-key-0123456789';
/** Three dot-separated base64url parts: a JWT's shape. */
const JWT_SHAPED_API_KEY = 'team01.AbCdEf123456.sEcReTpArT';
const ISSUER = 'https://idp.test';
const AUDIENCE = 'identity-gateway';
const VIEWER = '{ viewer { id scopes } }';

/** A JWKS endpoint on a real socket whose key set the test rotates. */
class JwksServer {
  keys: object[] = [];
  fetches = 0;
  /** `down`: the identity provider fails (an HTML 500, as a proxy in front of it would answer). */
  down = false;
  /** `stall`: it sends its headers and the start of a body, then nothing more. */
  stall = false;
  private server: Server | undefined;
  url = '';
  async start(): Promise<this> {
    this.server = createServer((_req, res) => {
      this.fetches++;
      if (this.down) {
        res.statusCode = 500;
        return void res.end('<html>Internal Server Error</html>');
      }
      if (this.stall) {
        res.setHeader('content-type', 'application/json');
        res.flushHeaders();
        return void res.write('{"keys":[');
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: this.keys }));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
    return this;
  }
  stop(): Promise<void> {
    // A stalled answer keeps its connection open: close() alone would wait for it forever.
    this.server!.closeAllConnections();
    return new Promise((r) => this.server!.close(() => r()));
  }
}

interface SigningKey {
  kid: string;
  alg: string;
  privateKey: KeyLike;
  jwk: object;
}

async function signingKey(kid: string, alg = 'RS256'): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg);
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

function token(key: SigningKey, claims: Record<string, unknown> = {}, opts: { exp?: number; iss?: string; aud?: string; sub?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: 'identity:read identity:write', ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setIssuer(opts.iss ?? ISSUER)
    .setAudience(opts.aud ?? AUDIENCE)
    .setSubject(opts.sub ?? 'svc-deployer')
    .setIssuedAt(now)
    .setExpirationTime(opts.exp ?? now + 300)
    .sign(key.privateKey);
}

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('authentication: API keys and JWTs, checked from the headers before anything runs', () => {
  let h: Harness;
  let jwks: JwksServer;
  let k1: SigningKey;
  let k2: SigningKey;
  let ec: SigningKey;

  beforeAll(async () => {
    [k1, k2, ec] = await Promise.all([signingKey('k1'), signingKey('k2'), signingKey('ec1', 'ES256')]);
    jwks = await new JwksServer().start();
    jwks.keys = [k1.jwk, ec.jwk];
    h = await startHarness({
      configure: (c) => {
        c.clients = [
          { id: 'ci', keySha256: createHash('sha256').update(API_KEY).digest('hex'), scopes: ['identity:read', 'identity:write'] },
          { id: 'dotted', keySha256: createHash('sha256').update(JWT_SHAPED_API_KEY).digest('hex'), scopes: ['identity:read'] },
        ];
        c.jwt = { jwksUrl: jwks.url, issuer: ISSUER, audience: AUDIENCE, jwksCooldownSeconds: 1 };
      },
    });
  });
  afterAll(async () => {
    await h.close();
    await jwks.stop();
  });
  beforeEach(() => h.sandboxes.reset());

  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
  const noUpstream = () => {
    for (const s of h.sandboxes.all()) expect(s.count()).toBe(0);
  };

  it('no credentials: 401 UNAUTHENTICATED with a plain Bearer challenge, nothing sent upstream', async () => {
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('auth'), providers: ['hoop'] } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="identity-gateway"');
    expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    noUpstream();
  });

  it.each([
    ['a wrong API key', 'not-the-key'],
    ['a Basic scheme', null],
  ])('%s: 401 with error="invalid_token"', async (_what, key) => {
    const headers = key ? bearer(key) : { authorization: 'Basic dXNlcjpwYXNz' };
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('auth'), providers: ['hoop'] } }, headers);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    noUpstream();
  });

  it('refusals are counted by reason in /metrics (they are not logged: a flood would flood the log)', async () => {
    const count = async (reason: string) => sample((await scrape(h.url)).samples, 'idgw_auth_refusals_total', { reason }) ?? 0;
    const [missing, invalid] = [await count('missing'), await count('invalid')];
    await h.gql(VIEWER);
    for (let i = 0; i < 3; i++) await h.gql(VIEWER, undefined, bearer(`guess-${i}`));
    await h.gql(VIEWER, undefined, bearer(API_KEY));
    expect(await count('missing')).toBe(missing + 1);
    expect(await count('invalid')).toBe(invalid + 3);
  });

  it('an API key keeps working, and viewer shows its client id and scopes', async () => {
    const res = await h.gql(VIEWER, undefined, bearer(API_KEY));
    expect(res.status).toBe(200);
    expect(res.body.data.viewer).toEqual({ id: 'ci', scopes: ['identity:read', 'identity:write'] });
  });

  it('a JWT from the JWKS: sub is the client id, scopes from a space-separated claim or an array', async () => {
    const res = await h.gql(VIEWER, undefined, bearer(await token(k1)));
    expect(res.body.data.viewer).toEqual({ id: 'svc-deployer', scopes: ['identity:read', 'identity:write'] });
    const arr = await h.gql(VIEWER, undefined, bearer(await token(ec, { scope: ['identity:read', 'identity:audit', 'made:up'] }, { sub: 'auditor' })));
    expect(arr.body.data.viewer).toEqual({ id: 'auditor', scopes: ['identity:read', 'identity:audit'] });
  });

  it('a JWT creates under its subject (the idempotency scope)', async () => {
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('jwt'), providers: ['hoop'] } }, bearer(await token(k1)));
    expect(res.status).toBe(200);
    expect(res.body.data.createServiceAccount.status).toBe('SUCCEEDED');
    expect(h.sandboxes.hoop.count()).toBe(1);
  });

  it('expiry is checked with a small skew: 10 s late passes, 2 min late does not', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect((await h.gql(VIEWER, undefined, bearer(await token(k1, {}, { exp: now - 10 })))).status).toBe(200);
    const late = await h.gql(VIEWER, undefined, bearer(await token(k1, {}, { exp: now - 120 })));
    expect(late.status).toBe(401);
    expect(late.body.errors[0].message).toMatch(/expired/);
  });

  it.each([
    ['another issuer', { iss: 'https://evil.test' }],
    ['another audience', { aud: 'someone-else' }],
  ])('%s: 401', async (_what, opts) => {
    const res = await h.gql(VIEWER, undefined, bearer(await token(k1, {}, opts)));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('alg none, an HMAC token keyed with the public key and a forged signature are refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: ISSUER, aud: AUDIENCE, sub: 'svc-deployer', exp: now + 300, scope: 'identity:write' };
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    const { createHmac } = await import('node:crypto');
    const hsInput = `${b64({ alg: 'HS256', kid: 'k1' })}.${b64(claims)}`;
    const hs = `${hsInput}.${createHmac('sha256', JSON.stringify(k1.jwk)).update(hsInput).digest('base64url')}`;
    const real = await token(k1);
    const forged = `${real.split('.')[0]}.${b64({ ...claims, sub: 'admin' })}.${real.split('.')[2]}`;
    for (const t of [none, hs, forged]) {
      const res = await h.gql(CREATE_SA, { input: { name: uniqueName('forged'), providers: ['hoop'] } }, bearer(t));
      expect(res.status).toBe(401);
      expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
    noUpstream();
  });

  it('an API key with the shape of a JWT is an API key (with `jwt` configured it was sent to the JWT check, and refused)', async () => {
    const res = await h.gql(VIEWER, undefined, bearer(JWT_SHAPED_API_KEY));
    expect(res.status).toBe(200);
    expect(res.body.data.viewer).toEqual({ id: 'dotted', scopes: ['identity:read'] });
    // One character off: neither a key nor a JWT.
    expect((await h.gql(VIEWER, undefined, bearer(`${JWT_SHAPED_API_KEY}x`))).status).toBe(401);
  });

  it('key rotation: a token signed by a new kid is accepted once the JWKS publishes it', async () => {
    const t2 = await token(k2, {}, { sub: 'rotated' });
    expect((await h.gql(VIEWER, undefined, bearer(t2))).status).toBe(401);
    const before = jwks.fetches;
    // Published beside the old keys, as a rotation does.
    jwks.keys = [k1.jwk, k2.jwk, ec.jwk];
    await new Promise((r) => setTimeout(r, 1100)); // jwksCooldownSeconds: an unknown kid fetches at most once a second
    const res = await h.gql(VIEWER, undefined, bearer(t2));
    expect(res.status).toBe(200);
    expect(res.body.data.viewer.id).toBe('rotated');
    expect(jwks.fetches).toBeGreaterThan(before);
  });

  it('a JWT client without identity:write calling a mutation: 403 FORBIDDEN, no upstream call', async () => {
    const res = await h.gql(
      CREATE_SA,
      { input: { name: uniqueName('ro'), providers: ['hoop'] } },
      bearer(await token(k1, { scope: 'identity:read' }, { sub: 'reader' })),
    );
    expect(res.status).toBe(403);
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', requiredScope: 'identity:write' });
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="identity-gateway", error="insufficient_scope", scope="identity:write"');
    noUpstream();
  });

  it("a JWT whose subject is an API-key client id is refused (it would share that client's idempotency records)", async () => {
    const res = await h.gql(VIEWER, undefined, bearer(await token(k1, {}, { sub: 'ci' })));
    expect(res.status).toBe(401);
  });

  it('a JWT whose subject is "anonymous" is refused (it would share the records of unauthenticated callers)', async () => {
    const res = await h.gql(VIEWER, undefined, bearer(await token(k1, {}, { sub: 'anonymous' })));
    expect(res.status).toBe(401);
    expect(res.body.errors[0]).toMatchObject({ message: "The token's subject is reserved (anonymous).", extensions: { code: 'UNAUTHENTICATED' } });
  });
});

describe('an identity provider whose key set (jwt.jwksUrl) cannot be fetched', () => {
  let jwks: JwksServer;
  let k1: SigningKey;
  let k2: SigningKey;
  const harnesses: Harness[] = [];
  const start = async () => {
    const h = await startHarness({
      configure: (c) => (c.jwt = { jwksUrl: jwks.url, issuer: ISSUER, audience: AUDIENCE, jwksCacheSeconds: 1, jwksCooldownSeconds: 3 }),
    });
    harnesses.push(h);
    return h;
  };
  const viewer = async (h: Harness, t: string) => {
    const res = await h.gql(VIEWER, undefined, { authorization: `Bearer ${t}` });
    return {
      status: res.status,
      code: res.body.errors?.[0]?.extensions?.code,
      id: res.body.data?.viewer?.id,
      retryAfter: res.headers.get('retry-after'),
      retryAfterSeconds: res.body.errors?.[0]?.extensions?.retryAfterSeconds,
    };
  };
  beforeAll(async () => {
    [k1, k2] = await Promise.all([signingKey('k1'), signingKey('k2')]);
    jwks = await new JwksServer().start();
  });
  afterAll(async () => {
    for (const h of harnesses) await h.close();
    await jwks.stop();
  });
  // Each test starts from a healthy provider publishing k1 (a test changes it from there).
  beforeEach(() => {
    jwks.keys = [k1.jwk];
    jwks.down = false;
    jwks.stall = false;
  });

  it('keeps verifying with the last key set fetched, answers 503 (not 401) for what it cannot check, fetches once per cooldown, and says so once', async () => {
    const h = await start();
    expect(await viewer(h, await token(k1))).toMatchObject({ status: 200, id: 'svc-deployer' });
    jwks.down = true;
    await new Promise((r) => setTimeout(r, 1200)); // the cached set is now older than jwksCacheSeconds
    const before = jwks.fetches;
    // A valid token of a known key: still verified, with the key set fetched before the outage.
    expect(await viewer(h, await token(k1))).toMatchObject({ status: 200, id: 'svc-deployer' });
    // A kid that set lacks (rotated in during the outage, or made up): no verdict, 503 with a hint.
    const unknown = await viewer(h, await token(k2));
    expect(unknown).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(Number(unknown.retryAfter)).toBeGreaterThanOrEqual(1);
    // The same hint in the body, for a page on another origin.
    expect(unknown.retryAfterSeconds).toBe(Number(unknown.retryAfter));
    // A flood of made-up kids does not hammer the failing provider: one fetch for the whole cooldown.
    for (let i = 0; i < 20; i++) expect((await viewer(h, await token({ ...k2, kid: `forged-${i}` }))).status).toBe(503);
    expect(jwks.fetches - before).toBe(1);
    const warnings = h
      .logs()
      .split('\n')
      .filter((l) => l.includes('JWKS unreachable'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0])).toMatchObject({ level: 40, jwksUrl: jwks.url, reason: expect.stringMatching(/200 OK/) });
    // The provider is back and has rotated: after the cooldown the new key verifies.
    jwks.keys = [k1.jwk, k2.jwk];
    jwks.down = false;
    await new Promise((r) => setTimeout(r, 3100));
    expect(await viewer(h, await token(k2))).toMatchObject({ status: 200, id: 'svc-deployer' });
  });

  it('a key set whose body stalls after its headers is an outage too: answered from the last set within seconds, not held', async () => {
    const h = await start();
    expect(await viewer(h, await token(k1))).toMatchObject({ status: 200 });
    jwks.stall = true;
    await new Promise((r) => setTimeout(r, 1200));
    const started = Date.now();
    expect(await viewer(h, await token(k1))).toMatchObject({ status: 200, id: 'svc-deployer' });
    expect(Date.now() - started).toBeLessThan(15_000); // bounded by the gateway's own deadline (5.5 s), not the socket
    expect(h.logs()).toMatch(/"reason":"no complete key set within 5\d00 ms".*JWKS unreachable/);
    // The stalled fetch was ended, not only given up on: once the provider answers again (and has rotated),
    // the next fetch after the cooldown sees the new key. It used to wait on the stalled one while its connection lived.
    jwks.stall = false;
    jwks.keys = [k1.jwk, k2.jwk];
    await new Promise((r) => setTimeout(r, 3100));
    expect(await viewer(h, await token(k2))).toMatchObject({ status: 200, id: 'svc-deployer' });
  }, 30_000);

  it('a key in the set that Node cannot import is no outage: its token is 401, nothing stops the next fetch', async () => {
    // An RSA key with a private exponent but not its primes: listed by the provider, refused by Node's import.
    const broken = { ...(k2.jwk as Record<string, unknown>), kid: 'broken', d: 'AQAB' };
    jwks.keys = [k1.jwk, broken];
    const h = await start();
    expect((await viewer(h, await token({ ...k2, kid: 'broken' }))).status).toBe(401);
    expect(h.logs()).not.toMatch(/JWKS unreachable/);
    // The provider rotates in k2: once jose's own cooldown since the last fetch is over, its token is verified.
    jwks.keys = [k1.jwk, k2.jwk];
    await new Promise((r) => setTimeout(r, 3100));
    expect(await viewer(h, await token(k2))).toMatchObject({ status: 200, id: 'svc-deployer' });
    expect(h.logs()).not.toMatch(/JWKS unreachable/);
  });

  it('with no key set fetched yet, a valid token is 503, never 401', async () => {
    jwks.down = true;
    const h = await start();
    expect(await viewer(h, await token(k1))).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
  });
});
