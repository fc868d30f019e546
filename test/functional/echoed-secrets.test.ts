import Redis from 'ioredis';
import { CREATE_SA, CREATE_USER } from '../helpers/graphql.client';
import { startHarness, uniqueName, type Harness } from '../helpers/gateway.harness';

/** A provider that quotes what it was sent in a 4xx message must not turn the gateway into a secret leak. */
describe('secrets a provider echoes in an error message are scrubbed', () => {
  let h: Harness;
  let redis: Redis;
  const everythingInRedis = async () => {
    const keys = await redis.keys(`${h.keyPrefix}*`);
    const parts = await Promise.all(
      keys.map(async (k) => {
        const type = await redis.type(k);
        return type === 'hash'
          ? JSON.stringify(await redis.hgetall(k))
          : type === 'stream'
            ? JSON.stringify(await redis.xrange(k, '-', '+'))
            : String(await redis.get(k));
      }),
    );
    return parts.join('\n');
  };

  beforeAll(async () => {
    h = await startHarness({ redis: true });
    redis = new Redis(process.env.REDIS_URL!);
  });
  afterAll(async () => {
    redis.disconnect();
    await h.close();
  });

  it.each([
    ['unleash', 'POST /api/admin/service-account', 403, 'SANDBOX_UNLEASH_TOKEN'],
    ['hoop', 'POST /serviceaccounts', 401, 'SANDBOX_HOOP_TOKEN'],
    ['generic', 'POST /v1/service-accounts', 400, 'SANDBOX_GENERIC_TOKEN'],
  ])('%s quoting its own token in a %s %i: not in the answer, the record or the log', async (provider, route, status, tokenEnv) => {
    const token = h.sandboxes.tokens[tokenEnv as keyof typeof h.sandboxes.tokens];
    const sandbox = h.sandboxes[provider as 'unleash' | 'hoop' | 'generic'];
    sandbox.inject({ route, response: { status, body: { message: `token ${token} (Bearer ${token}) lacks permission` } } });
    const key = uniqueName('echo');
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('echo'), providers: [provider], idempotencyKey: key } });
    const failure = res.body.data.createServiceAccount.results[0];
    expect(failure.message).toContain('lacks permission');
    expect(failure.message).toContain('<redacted>');
    expect(res.text).not.toContain(token);
    const record = await h.gql(`{ idempotencyRecord(key: "${key}", operation: CREATE_SERVICE_ACCOUNT) { results { message } } }`);
    expect(record.text).toContain('lacks permission');
    expect(record.text).not.toContain(token);
    expect(await everythingInRedis()).not.toContain(token);
    expect(h.logs()).not.toContain(token);
  });

  it('hoop quoting the password of a createUser in a 422: not in the answer or the record', async () => {
    const password = `Pw-${uniqueName('weak')}`;
    h.sandboxes.hoop.inject({ route: 'POST /users', response: { status: 422, body: { message: `password "${password}" is too weak` } } });
    const res = await h.gql(CREATE_USER, { input: { email: `${uniqueName('pw')}@example.com`, providers: ['hoop'], hoop: { password } } });
    expect(res.body.data.createUser.results[0]).toMatchObject({ code: 'BAD_REQUEST', message: 'password "<redacted>" is too weak' });
    expect(res.text).not.toContain(password);
    expect(await everythingInRedis()).not.toContain(password);
  });

  it.each([
    ['upper-cased', (pw: string) => `PASSWORD ${pw.toUpperCase()} IS TOO WEAK`],
    ['URL-encoded', (pw: string) => `rejected form field password=${encodeURIComponent(pw)}`],
    ['JSON-escaped', (pw: string) => `rejected body {"password":${JSON.stringify(pw)}}`],
  ])('hoop quoting the password %s: not in the answer or the record', async (_label, makeMessage) => {
    const tag = uniqueName('form');
    // Quotes, a slash, a space, an ampersand and a backslash: its quoted forms differ from it and from each other.
    const password = `Pw "q"/${tag} &x\\y`;
    h.sandboxes.hoop.inject({ route: 'POST /users', response: { status: 422, body: { message: makeMessage(password) } } });
    const res = await h.gql(CREATE_USER, { input: { email: `${uniqueName('pw')}@example.com`, providers: ['hoop'], hoop: { password } } });
    const failure = res.body.data.createUser.results[0];
    expect(failure.message).toContain('<redacted>');
    expect(failure.message.toLowerCase()).not.toContain(tag.toLowerCase());
    expect((await everythingInRedis()).toLowerCase()).not.toContain(tag.toLowerCase());
  });

  // The message is cut at 300 characters and trimmed: a secret must be found before either, or its
  // surviving prefix (everything but a trailing space, the first 280 characters) would be shown and kept.
  it.each([
    ['ending in a space', (tag: string) => `Sup3rSecret-${tag} `, (pw: string) => `password rejected: ${pw}`],
    ['longer than the message limit', (tag: string) => `L0ngSecret-${tag}-${'q'.repeat(360)}`, (pw: string) => `password rejected: ${pw}`],
    ['straddling the cut', (tag: string) => `B0undarySecret-${tag}`, (pw: string) => `${'x'.repeat(285)} ${pw}`],
  ])('a password %s: no part of it in the answer or the record', async (_label, makePassword, makeMessage) => {
    const password = makePassword(uniqueName('pw'));
    const core = password.trim().slice(0, 16);
    h.sandboxes.hoop.inject({ route: 'POST /users', response: { status: 400, body: { message: makeMessage(password) } } });
    const res = await h.gql(CREATE_USER, { input: { email: `${uniqueName('pw')}@example.com`, providers: ['hoop'], hoop: { password } } });
    const failure = res.body.data.createUser.results[0];
    expect(failure.code).toBe('BAD_REQUEST');
    expect(failure.message.length).toBeLessThanOrEqual(300);
    expect(failure.message).toContain('<redacted>');
    expect(res.text).not.toContain(core);
    expect(await everythingInRedis()).not.toContain(core);
  });
});
