import { createHash } from 'node:crypto';
import Redis from 'ioredis';
import { byProvider, CREATE_SA, CREATE_USER } from '../helpers/graphql.client';
import { startHarness, uniqueName, type Harness } from '../helpers/gateway.harness';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const KEY_A = 'client-a-api-key-0123456789';
const KEY_B = 'client-b-api-key-0123456789';

/** The outcome table of docs/idempotency.md, row by row, through real HTTP against a gateway on the real Redis. */
describe('idempotency semantics (Redis store)', () => {
  let h: Harness;
  const asA = { authorization: `Bearer ${KEY_A}` };
  const asB = { authorization: `Bearer ${KEY_B}` };
  beforeAll(async () => {
    h = await startHarness({
      redis: true,
      configure: (c) => {
        c.clients = [
          { id: 'client-a', keySha256: sha(KEY_A), scopes: ['identity:read', 'identity:write'] },
          { id: 'client-b', keySha256: sha(KEY_B), scopes: ['identity:read', 'identity:write'] },
        ];
      },
    });
  });
  afterAll(() => h.close());
  beforeEach(() => h.sandboxes.reset());
  const calls = () => h.sandboxes.count();

  it('first request: created; same key and input again: CONFLICT with the original outcome and no upstream call', async () => {
    const name = uniqueName('idem');
    const input = { name, idempotencyKey: `k-${name}` };
    const first = await h.gql(CREATE_SA, { input }, asA);
    const payload = first.body.data.createServiceAccount;
    expect(payload).toMatchObject({ idempotencyKey: `k-${name}`, status: 'SUCCEEDED' });
    expect(calls()).toBe(4);

    const again = await h.gql(CREATE_SA, { input }, asA);
    expect(again.status).toBe(200);
    expect(again.body.data).toEqual({ createServiceAccount: null });
    const err = again.body.errors[0];
    expect(err.extensions).toMatchObject({
      code: 'CONFLICT',
      idempotencyKey: `k-${name}`,
      original: {
        status: 'SUCCEEDED',
        createdAt: expect.any(String),
        results: payload.results.map((r: any) => ({ providerId: r.provider.id, id: r.account.id })),
      },
    });
    expect(calls()).toBe(4);
    for (const r of payload.results) for (const c of r.credentials) expect(again.text).not.toContain(c.secret);
  });

  it('explicit nulls, down to an options object left empty, are the same input: CONFLICT, not IDEMPOTENCY_KEY_REUSED', async () => {
    const name = uniqueName('nul');
    const input = { name, providers: ['hoop'], idempotencyKey: `k-${name}` };
    expect((await h.gql(CREATE_SA, { input }, asA)).body.data.createServiceAccount.status).toBe('SUCCEEDED');
    for (const extra of [{ hoop: { subject: null } }, { hoop: {} }, { displayName: null, hoop: null }]) {
      const again = await h.gql(CREATE_SA, { input: { ...input, ...extra } }, asA);
      expect(again.body.errors[0].extensions.code).toBe('CONFLICT');
    }
    // And without a key, the derived key is the same too.
    const derived = { name: uniqueName('nul'), providers: ['hoop'] };
    expect((await h.gql(CREATE_SA, { input: derived }, asA)).body.data.createServiceAccount.status).toBe('SUCCEEDED');
    expect((await h.gql(CREATE_SA, { input: { ...derived, hoop: { subject: null } } }, asA)).body.errors[0].extensions.code).toBe('CONFLICT');
    expect(h.sandboxes.hoop.count()).toBe(2);
  });

  it('the Idempotency-Key header works like the input field (and the same value in both is fine)', async () => {
    const name = uniqueName('hdr');
    const first = await h.gql(CREATE_SA, { input: { name, providers: ['hoop'] } }, { ...asA, 'idempotency-key': `h-${name}` });
    expect(first.body.data.createServiceAccount.idempotencyKey).toBe(`h-${name}`);
    const again = await h.gql(CREATE_SA, { input: { name, providers: ['hoop'], idempotencyKey: `h-${name}` } }, { ...asA, 'idempotency-key': `h-${name}` });
    expect(again.body.errors[0].extensions.code).toBe('CONFLICT');
  });

  it('no key: one is derived from the input, so an identical create is still a CONFLICT', async () => {
    const input = { name: uniqueName('derived'), providers: ['hoop', 'generic'] };
    const first = await h.gql(CREATE_SA, { input }, asA);
    expect(first.body.data.createServiceAccount.idempotencyKey).toMatch(/^derived:[0-9a-f]{64}$/);
    // Same input with keys in another order and the providers listed differently.
    const again = await h.gql(CREATE_SA, { input: { providers: ['generic', 'hoop'], name: input.name } }, asA);
    expect(again.body.errors[0].extensions).toMatchObject({ code: 'CONFLICT', idempotencyKey: first.body.data.createServiceAccount.idempotencyKey });
    // The derived key itself is no key a client may send: the refusal says how to repeat such a create.
    const echoed = await h.gql(CREATE_SA, { input: { ...input, idempotencyKey: first.body.data.createServiceAccount.idempotencyKey } }, asA);
    expect(echoed.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idempotencyKey' });
    expect(echoed.body.errors[0].message).toMatch(/send the same input without a key/);
    expect(calls()).toBe(2);
  });

  it('same key while the first is in flight: CONFLICT with inProgress, no upstream call', async () => {
    const name = uniqueName('flight');
    h.sandboxes.hoop.inject({ delayMs: 1500 });
    const input = { name, providers: ['hoop'], idempotencyKey: `f-${name}` };
    const slow = h.gql(CREATE_SA, { input }, asA);
    while (h.sandboxes.hoop.arrived === 0) await new Promise((r) => setTimeout(r, 10));
    const during = await h.gql(CREATE_SA, { input }, asA);
    expect(during.body.errors[0].extensions).toMatchObject({ code: 'CONFLICT', inProgress: true, idempotencyKey: `f-${name}` });
    expect((await slow).body.data.createServiceAccount.status).toBe('SUCCEEDED');
    expect(h.sandboxes.hoop.arrived).toBe(1);
  });

  it('same key, different input: IDEMPOTENCY_KEY_REUSED, no upstream call', async () => {
    const name = uniqueName('reuse');
    await h.gql(CREATE_SA, { input: { name, providers: ['hoop'], idempotencyKey: `r-${name}` } }, asA);
    h.sandboxes.reset();
    const res = await h.gql(CREATE_SA, { input: { name, displayName: 'changed', providers: ['hoop'], idempotencyKey: `r-${name}` } }, asA);
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', idempotencyKey: `r-${name}` });
    expect(calls()).toBe(0);
  });

  it('keys are scoped per client: another client may use the same key for its own create', async () => {
    const key = `shared-${uniqueName('k')}`;
    const a = await h.gql(CREATE_SA, { input: { name: uniqueName('ca'), providers: ['hoop'], idempotencyKey: key } }, asA);
    const b = await h.gql(CREATE_SA, { input: { name: uniqueName('cb'), providers: ['hoop'], idempotencyKey: key } }, asB);
    expect(a.body.data.createServiceAccount.status).toBe('SUCCEEDED');
    expect(b.body.data.createServiceAccount.status).toBe('SUCCEEDED');
  });

  it('retry after PARTIAL re-runs only the retryable failures; earlier successes are replayed without credentials', async () => {
    const name = uniqueName('retry');
    const input = { name, idempotencyKey: `rt-${name}` };
    h.sandboxes.versori.inject({ response: { status: 503, body: { code: 'unavailable', message: 'down' } } });
    h.sandboxes.generic.inject({ response: { status: 429, text: 'slow down', headers: { 'retry-after': '1' } } });
    h.sandboxes.hoop.inject({ response: { status: 400, body: { message: 'hoop refuses' } } });
    const first = await h.gql(CREATE_SA, { input }, asA);
    expect(first.body.data.createServiceAccount.status).toBe('PARTIAL');
    const unleashFirst = byProvider(first.body.data.createServiceAccount.results).unleash;
    h.sandboxes.reset();

    const retry = await h.gql(CREATE_SA, { input }, asA);
    const payload = retry.body.data.createServiceAccount;
    const r = byProvider(payload.results);
    // Only the two retryable targets were called again.
    expect(h.sandboxes.hoop.count()).toBe(0);
    expect(h.sandboxes.unleash.count()).toBe(0);
    expect(h.sandboxes.versori.count()).toBe(1);
    expect(h.sandboxes.generic.count()).toBe(1);
    expect(r.unleash).toMatchObject({ __typename: 'ServiceAccountCreated', replayed: true, credentials: [], account: { id: unleashFirst.account.id } });
    expect(r.hoop).toMatchObject({ __typename: 'ProviderFailure', code: 'BAD_REQUEST', message: 'hoop refuses' });
    expect(r.versori).toMatchObject({ replayed: false, credentials: [expect.objectContaining({ kind: 'CLIENT_SECRET' })] });
    expect(r.generic).toMatchObject({ replayed: false });
    expect(payload.status).toBe('PARTIAL'); // hoop's permanent failure stands

    // Nothing retryable is left: a third try is a CONFLICT.
    const third = await h.gql(CREATE_SA, { input }, asA);
    expect(third.body.errors[0].extensions).toMatchObject({ code: 'CONFLICT', original: { status: 'PARTIAL' } });
  });

  it('a retry that completes everything is SUCCEEDED (replays count as created)', async () => {
    const name = uniqueName('ok');
    const input = { name, providers: ['hoop', 'generic'], idempotencyKey: `ok-${name}` };
    h.sandboxes.generic.inject({ response: { status: 503, text: 'down for maintenance' } });
    expect((await h.gql(CREATE_SA, { input }, asA)).body.data.createServiceAccount.status).toBe('PARTIAL');
    const retry = await h.gql(CREATE_SA, { input }, asA);
    expect(retry.body.data.createServiceAccount.status).toBe('SUCCEEDED');
    expect(byProvider(retry.body.data.createServiceAccount.results).hoop.replayed).toBe(true);
  });

  it('natural-key guard: another key creating the same name gets CONFLICT on that provider without an upstream call', async () => {
    const name = uniqueName('guard');
    await h.gql(CREATE_SA, { input: { name, providers: ['hoop', 'versori'], idempotencyKey: `g1-${name}` } }, asA);
    h.sandboxes.reset();
    const res = await h.gql(CREATE_SA, { input: { name, providers: ['versori', 'generic'], idempotencyKey: `g2-${name}` } }, asA);
    const r = byProvider(res.body.data.createServiceAccount.results);
    expect(r.versori).toMatchObject({ code: 'CONFLICT', retryable: false, httpStatus: null });
    expect(r.generic.__typename).toBe('ServiceAccountCreated');
    expect(h.sandboxes.versori.count()).toBe(0);
    expect(res.body.data.createServiceAccount.status).toBe('PARTIAL');
  });

  it('a name held by a request still running: retryable CONFLICT, and once that request fails the retry with the same key creates it', async () => {
    const name = uniqueName('busy');
    h.sandboxes.versori.inject({ delayMs: 800, response: { status: 503, body: { message: 'down' } } });
    const holder = h.gql(CREATE_SA, { input: { name, providers: ['versori'], idempotencyKey: `b1-${name}` } }, asA);
    await new Promise((r) => setTimeout(r, 300));
    const input = { name, providers: ['versori'], idempotencyKey: `b2-${name}` };
    const waiting = (await h.gql(CREATE_SA, { input }, asA)).body.data.createServiceAccount;
    expect(waiting.status).toBe('FAILED');
    expect(waiting.results[0]).toMatchObject({ code: 'CONFLICT', retryable: true, retryAfterSeconds: 1, httpStatus: null });
    expect(waiting.results[0].message).toMatch(/is creating this versori identity right now; nothing was sent/);
    expect((await holder).body.data.createServiceAccount.results[0]).toMatchObject({ code: 'UNAVAILABLE' });

    const retry = (await h.gql(CREATE_SA, { input }, asA)).body.data.createServiceAccount;
    expect(retry.status).toBe('SUCCEEDED');
    // One call for the holder (503), one for the retry; none for the request that was told to wait.
    expect(h.sandboxes.versori.count()).toBe(2);
  });

  it('a failure that may have created the identity keeps its guard: another key is refused for good, not invited to create it twice', async () => {
    const name = uniqueName('maybe');
    h.sandboxes.versori.inject({ resetAfter: true });
    const first = (await h.gql(CREATE_SA, { input: { name, providers: ['versori'], idempotencyKey: `m1-${name}` } }, asA)).body.data.createServiceAccount;
    expect(first.results[0].message).toMatch(/may or may not have been created/);
    const other = (await h.gql(CREATE_SA, { input: { name, providers: ['versori'], idempotencyKey: `m2-${name}` } }, asA)).body.data.createServiceAccount;
    expect(other.results[0]).toMatchObject({ code: 'CONFLICT', retryable: false, httpStatus: null });
    // The only call: the first attempt's, which created it.
    expect(h.sandboxes.versori.count()).toBe(1);
  });

  it('a guard is released when its target fails, so another key may try that name again', async () => {
    const name = uniqueName('free');
    h.sandboxes.hoop.inject({ response: { status: 422, body: { message: 'nope' } } });
    const first = await h.gql(CREATE_SA, { input: { name, providers: ['hoop'], idempotencyKey: `f1-${name}` } }, asA);
    expect(first.body.data.createServiceAccount.status).toBe('FAILED');
    const second = await h.gql(CREATE_SA, { input: { name, providers: ['hoop'], idempotencyKey: `f2-${name}` } }, asA);
    expect(second.body.data.createServiceAccount.status).toBe('SUCCEEDED');
    expect(h.sandboxes.hoop.count()).toBe(2);
  });

  it('a 307 redirect (not followed) created nothing: its guard is released; a 302 (Post/Redirect/Get) keeps it', async () => {
    const moved = uniqueName('moved');
    h.sandboxes.hoop.inject({ response: { status: 307, headers: { location: 'https://elsewhere.example/api/serviceaccounts' }, body: { message: 'moved' } } });
    const first = (await h.gql(CREATE_SA, { input: { name: moved, providers: ['hoop'], idempotencyKey: `r1-${moved}` } }, asA)).body.data.createServiceAccount;
    expect(first.results[0]).toMatchObject({ code: 'INTERNAL', retryable: false, httpStatus: 307 });
    expect(first.results[0].message).toMatch(/redirect.*nothing was created/);
    const second = await h.gql(CREATE_SA, { input: { name: moved, providers: ['hoop'], idempotencyKey: `r2-${moved}` } }, asA);
    expect(second.body.data.createServiceAccount.status).toBe('SUCCEEDED');

    const seeOther = uniqueName('found');
    h.sandboxes.hoop.inject({ response: { status: 302, headers: { location: 'https://elsewhere.example/api/serviceaccounts/1' }, body: {} } });
    await h.gql(CREATE_SA, { input: { name: seeOther, providers: ['hoop'], idempotencyKey: `s1-${seeOther}` } }, asA);
    const again = (await h.gql(CREATE_SA, { input: { name: seeOther, providers: ['hoop'], idempotencyKey: `s2-${seeOther}` } }, asA)).body.data
      .createServiceAccount;
    expect(again.results[0]).toMatchObject({ code: 'CONFLICT', httpStatus: null });
    expect(h.sandboxes.hoop.count()).toBe(3);
  });

  it("a provider 409 is that target's CONFLICT", async () => {
    h.sandboxes.generic.inject({ response: { status: 409, body: { code: 409, data: null, message: 'service account already exists', requestId: 'r' } } });
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('c409'), providers: ['generic'] } }, asA);
    expect(res.body.data.createServiceAccount.results[0]).toMatchObject({ code: 'CONFLICT', httpStatus: 409, retryable: false });
  });

  it('e-mails are natural keys case-insensitively', async () => {
    const email = `${uniqueName('mail')}@example.com`;
    await h.gql(CREATE_USER, { input: { email, providers: ['hoop'] } }, asA);
    h.sandboxes.reset();
    const res = await h.gql(CREATE_USER, { input: { email: email.toUpperCase(), providers: ['hoop'], idempotencyKey: `m-${email}` } }, asA);
    expect(res.body.data.createUser.results[0]).toMatchObject({ code: 'CONFLICT', httpStatus: null });
    expect(calls()).toBe(0);
  });

  it("idempotencyRecord: the caller's own keys only, several looked up in one request", async () => {
    const name = uniqueName('rec');
    h.sandboxes.versori.inject({ response: { status: 500, body: { message: 'x' } } });
    await h.gql(CREATE_SA, { input: { name, providers: ['hoop', 'versori'], idempotencyKey: `rec-${name}` } }, asA);
    const q = `query($k: String!) {
      a: idempotencyRecord(key: $k, operation: CREATE_SERVICE_ACCOUNT) { key state status createdAt results { providerId created id code retryable } }
      b: idempotencyRecord(key: "never-used", operation: CREATE_SERVICE_ACCOUNT) { key }
      c: idempotencyRecord(key: $k, operation: CREATE_USER) { key }
    }`;
    const mine = await h.gql(q, { k: `rec-${name}` }, asA);
    expect(mine.body.data.a).toMatchObject({
      key: `rec-${name}`,
      state: 'COMPLETED',
      status: 'PARTIAL',
      results: [
        { providerId: 'hoop', created: true, id: expect.any(String), code: null },
        { providerId: 'versori', created: false, code: 'UNAVAILABLE', retryable: true },
      ],
    });
    expect(mine.body.data.b).toBeNull();
    expect(mine.body.data.c).toBeNull();
    const theirs = await h.gql(q, { k: `rec-${name}` }, asB);
    expect(theirs.body.data.a).toBeNull();
  });

  it('authentication: no key or a wrong key is 401 UNAUTHENTICATED, before anything runs', async () => {
    const none = await h.gql(CREATE_SA, { input: { name: uniqueName('noauth') } });
    expect(none.status).toBe(401);
    expect(none.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const wrong = await h.gql(CREATE_SA, { input: { name: uniqueName('noauth') } }, { authorization: 'Bearer wrong' });
    expect(wrong.status).toBe(401);
    expect(calls()).toBe(0);
    const viewer = await h.gql('{ viewer { id scopes } }', undefined, asB);
    expect(viewer.body.data.viewer).toEqual({ id: 'client-b', scopes: ['identity:read', 'identity:write'] });
  });

  it('nothing secret reaches Redis, and every key has a TTL within ttlSeconds', async () => {
    const password = 'Pa55word-never-in-redis';
    const sa = await h.gql(CREATE_SA, { input: { name: uniqueName('sec') } }, asA);
    const user = await h.gql(CREATE_USER, { input: { email: `${uniqueName('sec')}@example.com`, hoop: { password } } }, asA);
    const secrets = [
      password,
      KEY_A,
      ...Object.values(h.sandboxes.tokens),
      ...[...sa.body.data.createServiceAccount.results, ...user.body.data.createUser.results].flatMap((r: any) => r.credentials.map((c: any) => c.secret)),
    ];
    expect(secrets.length).toBeGreaterThanOrEqual(8); // password, key, 4 tokens, PAT, client secret, invite link
    const redis = new Redis(process.env.REDIS_URL!);
    try {
      let cursor = '0';
      const keys: string[] = [];
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', `${h.keyPrefix}*`, 'COUNT', 500);
        cursor = next;
        keys.push(...batch);
      } while (cursor !== '0');
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        const type = await redis.type(key);
        const value =
          type === 'hash'
            ? JSON.stringify(await redis.hgetall(key))
            : type === 'stream'
              ? JSON.stringify(await redis.xrange(key, '-', '+'))
              : String(await redis.get(key));
        for (const s of secrets) {
          expect(key).not.toContain(s);
          expect(value).not.toContain(s);
        }
        const ttl = await redis.pttl(key);
        expect(ttl).toBeGreaterThan(0);
        // Records and guards live ttlSeconds; the audit trail lives its own retention (30 days by default).
        expect(ttl).toBeLessThanOrEqual(type === 'stream' ? 30 * 86_400_000 : 86_400_000);
      }
    } finally {
      redis.disconnect();
    }
  });
});
