import type Redis from 'ioredis';
import { CREATE_SA, CREATE_USER } from '../helpers/graphql.client';
import { redisHarnessForBlock, uniqueName, type Harness } from '../helpers/gateway.harness';

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

  redisHarnessForBlock((harness, client) => {
    h = harness;
    redis = client;
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

  it("hoop echoing the password into a 201's descriptive field: the account shows <redacted>, the record keeps no password", async () => {
    const password = `Pw-${uniqueName('echo201')}`;
    const email = `${uniqueName('pw')}@example.com`;
    h.sandboxes.hoop.inject({
      route: 'POST /users',
      response: { status: 201, body: { id: uniqueName('u'), email, name: password, status: 'active', password } },
    });
    const key = uniqueName('k');
    const res = await h.gql(CREATE_USER, { input: { email, providers: ['hoop'], hoop: { password }, idempotencyKey: key } });
    expect(res.body.data.createUser.results[0]).toMatchObject({ __typename: 'UserCreated', user: { email, name: '<redacted>' } });
    expect(res.text).not.toContain(password);
    expect(await everythingInRedis()).not.toContain(password);
    expect(h.logs()).not.toContain(password);
  });

  it('an echoed secret URL-encoded inside a field is found too; a short password that is part of an ordinary value blanks nothing', async () => {
    const password = `s3cr!t@${uniqueName('pw').slice(-6)} x`;
    const email = `${uniqueName('enc')}@example.com`;
    h.sandboxes.hoop.inject({
      route: 'POST /users',
      response: { status: 201, body: { id: uniqueName('u'), email, name: `Carol ${encodeURIComponent(password)}`, status: 'active' } },
    });
    const encoded = await h.gql(CREATE_USER, { input: { email, providers: ['hoop'], hoop: { password } } });
    expect(encoded.body.data.createUser.results[0].user).toMatchObject({ email, name: '<redacted>' });
    expect(await everythingInRedis()).not.toContain(encodeURIComponent(password));
    // "acme.io" as a password is part of the e-mail's domain: the e-mail stays as the provider said (only a
    // field that is the short secret itself would read <redacted>).
    const mail = `${uniqueName('short')}@acme.io`;
    h.sandboxes.hoop.inject({ route: 'POST /users', response: { status: 201, body: { id: uniqueName('u'), email: mail, name: 'Bob', status: 'active' } } });
    const res = await h.gql(CREATE_USER, { input: { email: mail, providers: ['hoop'], hoop: { password: 'acme.io' } } });
    expect(res.body.data.createUser.results[0].user).toMatchObject({ email: mail, name: 'Bob' });
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

  const b64 = (v: string) => Buffer.from(v).toString('base64');
  const entities = (v: string) => [...v].map((c) => (/[a-z0-9]/i.test(c) ? c : `&#${c.codePointAt(0)};`)).join('');
  const pathEscaped = (v: string) => encodeURIComponent(v).replace(/%2F/gi, '/');
  const WITHHELD = "the provider's message was withheld: it quoted a secret sent with this request";
  it.each([
    ['in base64', (t: string) => b64(t)],
    ['as base64 of its Authorization header', (t: string) => b64(`Bearer ${t}`)],
    ['in hex', (t: string) => Buffer.from(t).toString('hex')],
    ['with a zero-width space inside', (t: string) => `${t.slice(0, 5)}\u200b${t.slice(5)}`],
    ['in fullwidth letters', (t: string) => [...t].map((c) => (/[a-z0-9]/i.test(c) ? String.fromCodePoint(c.codePointAt(0)! + 0xfee0) : c)).join('')],
  ])('hoop quoting its token %s: the message is withheld, nowhere in the answer or the record', async (_label, encode) => {
    const quoted = encode(h.sandboxes.tokens.SANDBOX_HOOP_TOKEN);
    h.sandboxes.hoop.inject({ route: 'POST /serviceaccounts', response: { status: 400, body: { message: `token ${quoted} rejected` } } });
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('enc'), providers: ['hoop'], idempotencyKey: uniqueName('enc') } });
    expect(res.body.data.createServiceAccount.results[0]).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400, message: WITHHELD });
    expect(res.text).not.toContain(quoted);
    expect(await everythingInRedis()).not.toContain(quoted);
  });

  it.each([
    ['as HTML entities', entities],
    ['percent-encoded with / left alone', pathEscaped],
    ['doubly percent-encoded', (p: string) => encodeURIComponent(encodeURIComponent(p))],
    ['as \\u escapes', (p: string) => [...p].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')],
    ['with + for a space', (p: string) => encodeURIComponent(p).replace(/%20/g, '+')],
  ])('hoop quoting a password %s: the message is withheld, nowhere in the answer or the record', async (_label, encode) => {
    const password = `Pw+/= ${uniqueName('q')}`;
    const quoted = encode(password);
    h.sandboxes.hoop.inject({ route: 'POST /users', response: { status: 422, body: { message: `password ${quoted} is too weak` } } });
    const res = await h.gql(CREATE_USER, { input: { email: `${uniqueName('pw')}@example.com`, providers: ['hoop'], hoop: { password } } });
    expect(res.body.data.createUser.results[0]).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 422, message: WITHHELD });
    expect(res.text).not.toContain(quoted);
    expect(await everythingInRedis()).not.toContain(quoted);
  });

  it('hoop quoting its token inside base64 of a longer text (user:token): withheld', async () => {
    const token = h.sandboxes.tokens.SANDBOX_HOOP_TOKEN;
    for (const prefix of ['u:', 'ab:', 'abc:']) {
      const quoted = b64(`${prefix}${token}`);
      h.sandboxes.hoop.inject({ route: 'POST /serviceaccounts', response: { status: 400, body: { message: `basic ${quoted} rejected` } } });
      const res = await h.gql(CREATE_SA, { input: { name: uniqueName('b64'), providers: ['hoop'] } });
      expect(res.body.data.createServiceAccount.results[0].message).toBe(WITHHELD);
    }
  });

  it.each([
    [
      'in fullwidth letters, HTML-escaped',
      (p: string) => entities([...p].map((c) => (/[a-z0-9]/i.test(c) ? String.fromCodePoint(c.codePointAt(0)! + 0xfee0) : c)).join('')),
    ],
    ['sent with a soft hyphen, quoted without it', (p: string) => p.replace('\u00ad', '')],
  ])('a password that is itself written oddly, quoted %s: withheld', async (_label, quote) => {
    const password = `Sec\u00adret-${uniqueName('odd')}`;
    h.sandboxes.hoop.inject({ route: 'POST /users', response: { status: 422, body: { message: `password ${quote(password)} is too weak` } } });
    const res = await h.gql(CREATE_USER, { input: { email: `${uniqueName('pw')}@example.com`, providers: ['hoop'], hoop: { password } } });
    expect(res.body.data.createUser.results[0].message).toBe(WITHHELD);
  });

  it('a password containing "redacted" does not withhold a message that only had it replaced', async () => {
    const password = `my-redacted-${uniqueName('pw')}`;
    h.sandboxes.hoop.inject({ route: 'POST /users', response: { status: 422, body: { message: `password ${password} is too weak` } } });
    const res = await h.gql(CREATE_USER, { input: { email: `${uniqueName('pw')}@example.com`, providers: ['hoop'], hoop: { password } } });
    expect(res.body.data.createUser.results[0].message).toBe('password <redacted> is too weak');
  });

  it('a one- or two-character password does not withhold ordinary messages', async () => {
    h.sandboxes.hoop.inject({ route: 'POST /users', response: { status: 409, body: { message: 'a user with this email already exists' } } });
    const res = await h.gql(CREATE_USER, { input: { email: `${uniqueName('pw')}@example.com`, providers: ['hoop'], hoop: { password: 'a' } } });
    expect(res.body.data.createUser.results[0].message).toBe('a user with this email already exists');
  });

  it('a short password quoted as a word withholds the message; an unrelated message stays as it is', async () => {
    h.sandboxes.hoop.inject({ route: 'POST /users', response: { status: 422, body: { message: 'password Zq7 is too weak' } } });
    const res = await h.gql(CREATE_USER, { input: { email: `${uniqueName('pw')}@example.com`, providers: ['hoop'], hoop: { password: 'Zq7' } } });
    expect(res.body.data.createUser.results[0].message).toBe(WITHHELD);
    expect(await everythingInRedis()).not.toContain('Zq7');

    h.sandboxes.hoop.inject({ route: 'POST /users', response: { status: 422, body: { message: 'password is too weak: use 12 characters' } } });
    const other = await h.gql(CREATE_USER, { input: { email: `${uniqueName('pw')}@example.com`, providers: ['hoop'], hoop: { password: 'Zq7' } } });
    expect(other.body.data.createUser.results[0].message).toBe('password is too weak: use 12 characters');
  });

  it.each([
    ['cut short', (pw: string) => `password "${pw.slice(0, 22)}..." is too common`],
    ['its end only', (pw: string) => `password "...${pw.slice(-24)}" is too common`],
    ['broken by a line', (pw: string) => `password "${pw.slice(0, 12)}\n${pw.slice(12)}" is too common`],
  ])('a password quoted %s withholds the message: not in the answer or the record', async (_, quote) => {
    const password = 'CorrectHorseBatteryStaple-9931';
    h.sandboxes.hoop.inject({ route: 'POST /users', response: { status: 422, body: { message: quote(password) } } });
    const res = await h.gql(CREATE_USER, { input: { email: `${uniqueName('pw')}@example.com`, providers: ['hoop'], hoop: { password } } });
    expect(res.body.data.createUser.results[0].message).toBe(WITHHELD);
    const stored = await everythingInRedis();
    for (const piece of ['CorrectHorseBatterySta', 'BatteryStaple-9931']) expect(stored).not.toContain(piece);
  });

  it.each([
    ['wrapped over lines, indented', 'password "correct\n  horse\n  battery\n  staple" is too common'],
    ['with its spaces doubled', 'password "correct  horse  battery  staple" is too common'],
  ])('a passphrase quoted %s withholds the message', async (_, message) => {
    h.sandboxes.hoop.inject({ route: 'POST /users', response: { status: 422, body: { message } } });
    const res = await h.gql(CREATE_USER, {
      input: { email: `${uniqueName('pw')}@example.com`, providers: ['hoop'], hoop: { password: 'correct horse battery staple' } },
    });
    expect(res.body.data.createUser.results[0].message).toBe(WITHHELD);
  });

  it('a message that shares a word with the password is not withheld for it', async () => {
    h.sandboxes.hoop.inject({ route: 'POST /users', response: { status: 422, body: { message: 'password must not contain the word password' } } });
    const res = await h.gql(CREATE_USER, {
      input: { email: `${uniqueName('pw')}@example.com`, providers: ['hoop'], hoop: { password: 'password-Horse-71!' } },
    });
    expect(res.body.data.createUser.results[0].message).toBe('password must not contain the word password');
  });
});
