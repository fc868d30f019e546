import { byProvider, CREATE_SA, CREATE_USER } from '../helpers/graphql.client';
import { startHarness, uniqueName, type Harness } from '../helpers/gateway.harness';
import { unleashBehaviour } from '../shared/unleash.behaviour';
import { RATE_LIMIT_PER_MINUTE } from './unleash.global-setup';

const url = () => process.env.UNLEASH_TEST_URL!;
const token = () => process.env.UNLEASH_TEST_TOKEN!;

/** The same behaviour suite the sandbox passes in `npm test`: where they disagree, the sandbox is wrong. */
describe('real unleash-server 8.2.0', () => {
  unleashBehaviour(() => ({ baseUrl: url(), adminToken: token() }));
});

describe('the gateway in front of a real Unleash (open source)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      env: { REAL_UNLEASH_TOKEN: token() },
      configure: (c) => {
        c.providers = [c.providers[0], { id: 'unleash', kind: 'unleash', baseUrl: url(), tokenEnv: 'REAL_UNLEASH_TOKEN', defaults: { rootRole: 3 } }];
      },
    });
  });
  afterAll(() => h.close());

  async function listed(email: string): Promise<any | undefined> {
    const res = await fetch(`${url()}/api/admin/user-admin`, { headers: { authorization: token() } });
    const body: any = await res.json();
    return body.users.find((u: any) => u.email === email.toLowerCase() || u.email === email);
  }

  it('createUser creates the user with the provider default rootRole, sending only the five fields Unleash accepts', async () => {
    const email = `${uniqueName('real')}@example.com`;
    // groups, status and hoop options must not leak into the Unleash request (it rejects unknown fields).
    const res = await h.gql(CREATE_USER, { input: { email, name: 'Real Ada', groups: ['sre'], hoop: { slackId: 'U1' }, providers: ['unleash'] } });
    expect(res.body.errors).toBeUndefined();
    const r = res.body.data.createUser.results[0];
    expect(r).toMatchObject({ __typename: 'UserCreated', user: { email, name: 'Real Ada' }, replayed: false });
    const user = await listed(email);
    expect(user).toMatchObject({ id: Number(r.user.id), name: 'Real Ada', rootRole: 3 });

    // The invite link comes back once, as a credential, and is never logged.
    expect(r.credentials).toEqual([expect.objectContaining({ kind: 'INVITE_LINK', secret: expect.stringContaining(`${url()}/new-user?token=`) })]);
    expect(h.logs()).not.toContain(r.credentials[0].secret);
    const again = await h.gql(CREATE_USER, { input: { email, name: 'Real Ada', groups: ['sre'], hoop: { slackId: 'U1' }, providers: ['unleash'] } });
    expect(again.body.errors[0].extensions.code).toBe('CONFLICT');
    expect(again.text).not.toContain(r.credentials[0].secret);
  });

  it('a duplicate e-mail in another letter case → CONFLICT (Unleash\'s 400 "User already exists")', async () => {
    const email = `${uniqueName('dupe')}@example.com`;
    await h.gql(CREATE_USER, { input: { email, providers: ['unleash'] } });
    // A different input (upper-case) under its own key: the gateway's guard catches it first...
    const guarded = await h.gql(CREATE_USER, { input: { email: email.toUpperCase(), providers: ['unleash'] } });
    expect(guarded.body.data.createUser.results[0]).toMatchObject({ code: 'CONFLICT', httpStatus: null });
    // ...and a user created on Unleash directly (no gateway guard) is Unleash's own conflict.
    const direct = `${uniqueName('direct')}@example.com`;
    const made = await fetch(`${url()}/api/admin/user-admin`, {
      method: 'POST',
      headers: { authorization: token(), 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.1' },
      body: JSON.stringify({ email: direct, rootRole: 3 }),
    });
    expect(made.status).toBe(201);
    const res = await h.gql(CREATE_USER, { input: { email: direct.toUpperCase(), providers: ['unleash'] } });
    expect(res.body.data.createUser.results[0]).toMatchObject({ code: 'CONFLICT', httpStatus: 400, retryable: false, message: 'User already exists' });
  });

  it('a duplicate username with an e-mail (Unleash: 500 with SQL) → CONFLICT, and no SQL reaches the client', async () => {
    const username = `u-${uniqueName('un')}`.slice(0, 60);
    const first = await h.gql(CREATE_USER, { input: { email: `${uniqueName('un1')}@example.com`, providers: ['unleash'], unleash: { username } } });
    expect(first.body.data.createUser.status).toBe('SUCCEEDED');
    const res = await h.gql(CREATE_USER, { input: { email: `${uniqueName('un2')}@example.com`, providers: ['unleash'], unleash: { username } } });
    expect(res.body.data.createUser.results[0]).toMatchObject({ code: 'CONFLICT', httpStatus: 500, retryable: false });
    expect(res.text).not.toMatch(/insert into|users_username_key|duplicate key|constraint/i);
    expect(h.logs()).not.toMatch(/insert into/i);
  });

  it('a name Unleash would choke on (SQL 500) is refused by the gateway before any call', async () => {
    const res = await h.gql(CREATE_USER, { input: { email: `${uniqueName('long')}@example.com`, name: 'n'.repeat(256), providers: ['unleash'] } });
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
  });

  it('createServiceAccount: the open-source 404 is UNSUPPORTED and the other target still succeeds', async () => {
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('sa') } });
    const payload = res.body.data.createServiceAccount;
    const r = byProvider(payload.results);
    expect(r.unleash).toMatchObject({ code: 'UNSUPPORTED', httpStatus: 404, retryable: false });
    expect(r.hoop.__typename).toBe('ServiceAccountCreated');
    expect(payload.status).toBe('PARTIAL');
  });

  it('a wrong admin token → UNAUTHORIZED', async () => {
    const bad = await startHarness({
      env: { WRONG_TOKEN: '*:*.wrong' },
      configure: (c) => {
        c.providers = [{ id: 'unleash', kind: 'unleash', baseUrl: url(), tokenEnv: 'WRONG_TOKEN', defaults: { rootRole: 3 } }];
      },
    });
    try {
      const res = await bad.gql(CREATE_USER, { input: { email: `${uniqueName('bad')}@example.com` } });
      expect(res.body.data.createUser.results[0]).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 401 });
    } finally {
      await bad.close();
    }
  });

  // Last: it spends this client IP's budget of user creations.
  it('rate limited (HTML 429 with Retry-After) → RATE_LIMITED with retryAfterSeconds, retryable', async () => {
    let failure: any;
    let text = '';
    for (let i = 0; i <= RATE_LIMIT_PER_MINUTE + 1 && !failure; i++) {
      const res = await h.gql(CREATE_USER, { input: { email: `${uniqueName('rl')}@example.com`, providers: ['unleash'] } });
      const r = res.body.data.createUser.results[0];
      if (r.__typename === 'ProviderFailure') {
        failure = r;
        text = res.text;
      }
    }
    expect(failure).toMatchObject({ code: 'RATE_LIMITED', httpStatus: 429, retryable: true });
    expect(failure.retryAfterSeconds).toBeGreaterThan(0);
    expect(text).not.toMatch(/Too many requests|<html/i);
  });
});
