import { byProvider, CREATE_SA, CREATE_USER } from '../helpers/graphql.client';
import { startHarness, uniqueName, type Harness } from '../helpers/gateway.harness';

const SQL = 'insert into "users" ("email") values ($1) - duplicate key value violates unique constraint "users_username_key"';
const STACK = 'Error: boom\n    at Object.<anonymous> (/srv/app/index.js:10:5)';

describe('upstream answers map to the ProviderErrorCode vocabulary', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.sandboxes.reset());

  async function failOn(provider: 'hoop' | 'versori' | 'generic', response: any) {
    h.sandboxes[provider].inject({ response });
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('err'), providers: [provider] } });
    expect(res.body.errors).toBeUndefined();
    expect(res.text).not.toContain('stacktrace');
    return { failure: res.body.data.createServiceAccount.results[0], text: res.text };
  }

  it.each([
    [400, 'BAD_REQUEST', false],
    [422, 'BAD_REQUEST', false],
    [401, 'UNAUTHORIZED', false],
    [403, 'FORBIDDEN', false],
    [404, 'NOT_FOUND', false],
    [409, 'CONFLICT', false],
    [418, 'BAD_REQUEST', false],
  ])("HTTP %i → %s, with the provider's JSON message", async (status, code, retryable) => {
    const { failure } = await failOn('hoop', { status, body: { message: `hoop says ${status}` } });
    expect(failure).toMatchObject({ __typename: 'ProviderFailure', code, httpStatus: status, retryable, message: `hoop says ${status}` });
  });

  it.each([500, 502, 503, 504])('HTTP %i → UNAVAILABLE (retryable) and no part of the body', async (status) => {
    const { failure, text } = await failOn('hoop', { status, body: { message: `${SQL}\n${STACK}` } });
    expect(failure).toMatchObject({ code: 'UNAVAILABLE', httpStatus: status, retryable: true });
    expect(text).not.toMatch(/insert into|duplicate key|index\.js|boom/);
  });

  it('an HTML 4xx page never reaches the client', async () => {
    const { failure, text } = await failOn('hoop', { status: 400, text: `<html><pre>${STACK}</pre></html>` });
    expect(failure).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400, message: 'hoop answered HTTP 400' });
    expect(text).not.toMatch(/<html|index\.js/);
  });

  it('long 4xx messages are trimmed to 300 characters', async () => {
    const { failure } = await failOn('hoop', { status: 400, body: { message: 'x'.repeat(1000) } });
    expect(failure.message.length).toBeLessThanOrEqual(300);
  });

  it('429 → RATE_LIMITED with Retry-After, whatever the body', async () => {
    const { failure } = await failOn('versori', { status: 429, text: '<html>Too many</html>', headers: { 'retry-after': '42' } });
    expect(failure).toMatchObject({ code: 'RATE_LIMITED', httpStatus: 429, retryable: true, retryAfterSeconds: 42 });
  });

  it.each([['99999999999'], ['Thu, 01 Jan 2099 00:00:00 GMT']])('a Retry-After of %s is capped at a day, not an internal error', async (retryAfter) => {
    const { failure } = await failOn('versori', { status: 429, text: 'slow down', headers: { 'retry-after': retryAfter } });
    expect(failure).toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfterSeconds: 86_400 });
  });

  it('Versori error bodies give their message, never their cause', async () => {
    const { failure } = await failOn('versori', { status: 403, body: { code: 'permission_denied', message: 'not allowed', cause: 'rbac: internal detail' } });
    expect(failure).toMatchObject({ code: 'FORBIDDEN', message: 'not allowed' });
  });

  it('a connection reset mid-request → UNAVAILABLE, sent once (a POST that may have arrived is never re-sent)', async () => {
    h.sandboxes.versori.inject({ reset: true });
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('reset'), providers: ['versori'] } });
    expect(res.body.data.createServiceAccount.results[0]).toMatchObject({ code: 'UNAVAILABLE', retryable: true, httpStatus: null });
    expect(h.sandboxes.versori.count()).toBe(1);
  });

  it('the same reset on generic (no duplicate check of its own) is not retryable: a retry could create a second account', async () => {
    h.sandboxes.generic.inject({ reset: true });
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('reset'), providers: ['generic'] } });
    expect(res.body.data.createServiceAccount.results[0]).toMatchObject({ code: 'UNAVAILABLE', retryable: false, httpStatus: null });
    expect(res.body.data.createServiceAccount.results[0].message).toMatch(/; not retryable: generic does not refuse a second create/);
    expect(h.sandboxes.generic.count()).toBe(1);
  });

  it('a 2xx whose body does not parse → INTERNAL, not retryable (it may have been created)', async () => {
    const { failure } = await failOn('hoop', { status: 201, text: 'not json' });
    expect(failure).toMatchObject({ code: 'INTERNAL', retryable: false, httpStatus: 201 });
  });

  it('a 2xx without the id its contract makes optional is a create, with the credential it carried', async () => {
    const made = async (provider: string, body: unknown, status = 201) => {
      h.sandboxes[provider as 'versori'].inject({ response: { status, body } });
      const res = await h.gql(CREATE_SA, { input: { name: uniqueName('noid'), providers: [provider] } });
      return res.body.data.createServiceAccount.results[0];
    };
    // Versori's ServiceAccount requires nothing: its client secret is shown once, here.
    expect(await made('versori', { clientId: 'cid-1', clientSecret: 'only-copy-secret-9876' })).toMatchObject({
      __typename: 'ServiceAccountCreated',
      account: { id: null },
      credentials: [{ kind: 'CLIENT_SECRET', clientId: 'cid-1', secret: 'only-copy-secret-9876' }],
    });
    // hoop requires subject and status of its 201, not the read-only id; the generic API's data requires nothing.
    expect(await made('hoop', { subject: 'sub-1', status: 'active' })).toMatchObject({
      __typename: 'ServiceAccountCreated',
      account: { id: null, name: 'sub-1' },
    });
    expect(await made('generic', { code: 200, data: { name: 'gen-1', status: 'active' } }, 200)).toMatchObject({
      __typename: 'ServiceAccountCreated',
      account: { id: null, name: 'gen-1' },
    });
    // An id that is no id (empty, an object) is read as no id: the secret still reaches the client.
    for (const id of ['', { v: '01X' }]) {
      expect(await made('versori', { id, name: 'x', clientId: 'cid-2', clientSecret: 'only-copy-secret-5432' })).toMatchObject({
        __typename: 'ServiceAccountCreated',
        account: { id: null },
        credentials: [{ kind: 'CLIENT_SECRET', secret: 'only-copy-secret-5432' }],
      });
    }
    expect(await made('unleash', { id: '', username: 'u', tokens: [{ id: 1, secret: 'user:only-copy-pat-77' }] })).toMatchObject({
      __typename: 'ServiceAccountCreated',
      account: { id: null },
      credentials: [{ kind: 'PERSONAL_ACCESS_TOKEN', secret: 'user:only-copy-pat-77' }],
    });
    // A repeat of such a create says it was created, with an id of null rather than none at all.
    h.sandboxes.versori.inject({ response: { status: 201, body: { clientSecret: 'only-copy-secret-1111' } } });
    const input = { name: uniqueName('noidr'), providers: ['versori'], idempotencyKey: uniqueName('noidr-key') };
    expect((await h.gql(CREATE_SA, { input })).body.data.createServiceAccount.status).toBe('SUCCEEDED');
    const repeat = await h.gql(CREATE_SA, { input });
    expect(repeat.body.errors[0].extensions).toMatchObject({
      code: 'CONFLICT',
      original: { status: 'SUCCEEDED', results: [{ providerId: 'versori', id: null }] },
    });
    // An error body under a 2xx (Versori's `default` response) is no description of a create: unreadable, as before.
    expect(await made('versori', { code: 'accepted', message: 'queued' }, 202)).toMatchObject({ __typename: 'ProviderFailure', code: 'INTERNAL' });
  });

  it('a provider timestamp that is no RFC 3339 date-time is null, never a date the provider did not send', async () => {
    const createdAt = async (value: unknown) => {
      h.sandboxes.generic.inject({ response: { status: 200, body: { code: 200, data: { id: 'sa-t', name: 'n', createdAt: value }, message: 'success' } } });
      const res = await h.gql(CREATE_SA, { input: { name: uniqueName('ts'), providers: ['generic'] } });
      expect(res.body.errors).toBeUndefined();
      return res.body.data.createServiceAccount.results[0].account.createdAt;
    };
    // new Date() read these as 2001-12-01, 2001-05-01, and the host's local time.
    for (const bad of ['12', 'Tuesday 5', '2024-01-02 10:00:00', '2024-02-30T00:00:00Z']) expect(await createdAt(bad)).toBeNull();
    expect(await createdAt('2024-01-02T10:00:00+01:00')).toBe('2024-01-02T09:00:00.000Z');
  });

  it("the generic API's envelope: an error code inside a 200 is mapped by that code", async () => {
    const { failure } = await failOn('generic', { status: 200, body: { code: 409, data: null, message: 'name taken', requestId: 'req_1' } });
    expect(failure).toMatchObject({ code: 'CONFLICT', message: 'name taken' });
    const envErr = await failOn('generic', { status: 400, body: { code: 400, data: null, message: 'permissions is required', requestId: 'req_2' } });
    expect(envErr.failure).toMatchObject({ code: 'BAD_REQUEST', message: 'permissions is required' });
  });

  it('the same name under another key: CONFLICT on every target from the natural-key guard, without an upstream call', async () => {
    const name = uniqueName('dup');
    await h.gql(CREATE_SA, { input: { name, idempotencyKey: `${name}-1` } });
    h.sandboxes.reset();
    const res = await h.gql(CREATE_SA, { input: { name, idempotencyKey: `${name}-2` } });
    const payload = res.body.data.createServiceAccount;
    expect(payload.status).toBe('FAILED');
    for (const r of payload.results) expect(r).toMatchObject({ code: 'CONFLICT', retryable: false, httpStatus: null });
    for (const s of h.sandboxes.all()) expect(s.count()).toBe(0);
  });

  it('provider 409 / Unleash "User already exists" / Unleash duplicate-username 500 → CONFLICT', async () => {
    // Pre-create directly on the sandboxes, as if someone used the providers without the gateway.
    const email = `${uniqueName('c')}@example.com`;
    const direct = (path: string, token: string, body: unknown) =>
      fetch(`${h.sandboxes.unleash.baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization: token, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await direct('/api/admin/user-admin', h.sandboxes.tokens.SANDBOX_UNLEASH_TOKEN, { email: email.toUpperCase(), username: 'taken-name', rootRole: 3 });
    await fetch(`${h.sandboxes.hoop.baseUrl}/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.sandboxes.tokens.SANDBOX_HOOP_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email }),
    });
    h.sandboxes.reset();

    const res = await h.gql(CREATE_USER, { input: { email } });
    const r = byProvider(res.body.data.createUser.results);
    expect(r.hoop).toMatchObject({ code: 'CONFLICT', httpStatus: 409, retryable: false });
    expect(r.unleash).toMatchObject({ code: 'CONFLICT', httpStatus: 400, message: 'User already exists' });

    const res2 = await h.gql(CREATE_USER, { input: { email: `${uniqueName('c')}@example.com`, providers: ['unleash'], unleash: { username: 'taken-name' } } });
    const f = res2.body.data.createUser.results[0];
    expect(f).toMatchObject({ code: 'CONFLICT', httpStatus: 500, retryable: false });
    expect(res2.text).not.toMatch(/insert into|users_username_key|duplicate key/);
  });

  it("Unleash open-source: the service-account API's 404 is UNSUPPORTED and other targets still succeed", async () => {
    const oss = await startHarness({ unleash: { edition: 'oss' } });
    try {
      const res = await oss.gql(CREATE_SA, { input: { name: uniqueName('oss') } });
      const payload = res.body.data.createServiceAccount;
      expect(payload.status).toBe('PARTIAL');
      const r = byProvider(payload.results);
      expect(r.unleash).toMatchObject({ code: 'UNSUPPORTED', httpStatus: 404, retryable: false });
      for (const id of ['hoop', 'versori', 'generic']) expect(r[id].__typename).toBe('ServiceAccountCreated');
    } finally {
      await oss.close();
    }
  });

  it('Unleash 429 is an HTML page: RATE_LIMITED with Retry-After', async () => {
    const limited = await startHarness({ unleash: { createUserRateLimitPerMinute: 1 } });
    try {
      await limited.gql(CREATE_USER, { input: { email: `${uniqueName('r')}@example.com`, providers: ['unleash'] } });
      const res = await limited.gql(CREATE_USER, { input: { email: `${uniqueName('r')}@example.com`, providers: ['unleash'] } });
      const f = res.body.data.createUser.results[0];
      expect(f).toMatchObject({ code: 'RATE_LIMITED', httpStatus: 429, retryable: true });
      expect(f.retryAfterSeconds).toBeGreaterThan(0);
      expect(res.text).not.toContain('Too many requests');
    } finally {
      await limited.close();
    }
  });

  it('wrong provider token → UNAUTHORIZED, and the token never appears in the answer', async () => {
    const bad = await startHarness({ configure: (c) => (c.providers[0].tokenEnv = 'SANDBOX_GENERIC_TOKEN') });
    try {
      const res = await bad.gql(CREATE_SA, { input: { name: uniqueName('tok'), providers: ['hoop'] } });
      expect(res.body.data.createServiceAccount.results[0]).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 401 });
      for (const t of Object.values(bad.sandboxes.tokens)) {
        expect(res.text).not.toContain(t);
        expect(bad.logs()).not.toContain(t);
      }
    } finally {
      await bad.close();
    }
  });
});

describe('deadlines and unreachable providers', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ configure: (c) => c.providers.forEach((p: any) => (p.timeoutMs = 300)) });
  });
  afterAll(() => h.close());

  it('a provider that does not answer within timeoutMs → TIMEOUT, retryable', async () => {
    h.sandboxes.hoop.inject({ delayMs: 1500 });
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('slow'), providers: ['hoop', 'generic'] } });
    const r = byProvider(res.body.data.createServiceAccount.results);
    expect(r.hoop).toMatchObject({ code: 'TIMEOUT', retryable: true });
    expect(r.generic.__typename).toBe('ServiceAccountCreated');
  });

  it('a provider host name that does not resolve → UNAVAILABLE, nothing was sent, and the name stays free for another key', async () => {
    const g = await startHarness({
      configure: (c) =>
        c.providers
          .filter((p: any) => p.id === 'versori')
          .forEach((p: any) => Object.assign(p, { baseUrl: 'http://versori.gateway-test.invalid:1/v1', timeoutMs: 500 })),
    });
    try {
      const name = uniqueName('dns');
      const first = await g.gql(CREATE_SA, { input: { name, providers: ['versori'], idempotencyKey: `${name}-a` } });
      expect(first.body.data.createServiceAccount.results[0]).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
      expect(first.body.data.createServiceAccount.results[0].message).toMatch(
        // A machine without a reachable DNS server may still be looking the name up at the connect timeout.
        /^versori could not be reached \((ENOTFOUND|EAI_AGAIN|EAI_FAIL|connect timeout)\); nothing was sent$/,
      );
      // Nothing was sent, so the name's guard was given back: another key is not told it may exist.
      const other = await g.gql(CREATE_SA, { input: { name, providers: ['versori'], idempotencyKey: `${name}-b` } });
      expect(other.body.data.createServiceAccount.results[0]).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
      expect(g.sandboxes.versori.count()).toBe(0);
    } finally {
      await g.close();
    }
  });

  it('a provider that refuses connections → UNAVAILABLE after at most two quiet retries', async () => {
    const port = h.sandboxes.versori.port;
    await h.sandboxes.versori.stop();
    try {
      const res = await h.gql(CREATE_SA, { input: { name: uniqueName('down'), providers: ['versori'] } });
      expect(res.body.data.createServiceAccount.results[0]).toMatchObject({ code: 'UNAVAILABLE', retryable: true, httpStatus: null });
      expect(res.body.data.createServiceAccount.results[0].message).toBe('versori could not be reached (ECONNREFUSED); nothing was sent');
    } finally {
      await h.sandboxes.versori.start(port);
    }
  });
});
