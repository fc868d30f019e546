import { byProvider, CREATE_USER } from '../helpers/graphql.client';
import { startHarness, uniqueName, type Harness } from '../helpers/gateway.harness';

describe('createUser', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.sandboxes.reset());

  it('creates on hoop and Unleash by default, never passing the echoed password on', async () => {
    const email = `${uniqueName('u')}@example.com`;
    const password = 'S3cret-Passw0rd!';
    const res = await h.gql(CREATE_USER, {
      input: { email, name: 'Ada Lovelace', groups: ['sre'], hoop: { slackId: 'U053ELZHB53', picture: 'https://img/x.png', password } },
    });
    expect(res.body.errors).toBeUndefined();
    const payload = res.body.data.createUser;
    expect(payload.status).toBe('SUCCEEDED');
    expect(payload.results.map((r: any) => r.provider.id)).toEqual(['hoop', 'unleash']);
    const r = byProvider(payload.results);

    const [hoop] = h.sandboxes.hoop.received('POST /users');
    expect(hoop.path).toBe('/api/users');
    expect(hoop.body).toEqual({
      email,
      name: 'Ada Lovelace',
      status: 'active',
      groups: ['sre'],
      slack_id: 'U053ELZHB53',
      picture: 'https://img/x.png',
      password,
    });
    expect(r.hoop.user).toMatchObject({ email, name: 'Ada Lovelace', displayName: 'Ada Lovelace', status: 'ACTIVE' });
    expect(r.hoop.credentials).toEqual([]);

    const [unleash] = h.sandboxes.unleash.received('POST /api/admin/user-admin');
    // Exactly the five fields Unleash accepts: no groups, no status.
    expect(unleash.body).toEqual({ email, name: 'Ada Lovelace', rootRole: 3, sendEmail: false });
    expect(r.unleash.user).toMatchObject({ email, name: 'Ada Lovelace', displayName: 'Ada Lovelace' });
    expect(r.unleash.credentials).toEqual([expect.objectContaining({ kind: 'INVITE_LINK', secret: expect.stringContaining('/new-user?token=') })]);

    // The password appears nowhere in the response or the logs.
    expect(res.text).not.toContain(password);
    expect(h.logs()).not.toContain(password);
    expect(h.logs()).not.toContain(r.unleash.credentials[0].secret);
  });

  it('passes Unleash options through', async () => {
    const email = `${uniqueName('u')}@example.com`;
    await h.gql(CREATE_USER, { input: { email, providers: ['unleash'], unleash: { username: 'ada.l', rootRole: 1, sendEmail: true } } });
    expect(h.sandboxes.unleash.received('POST /api/admin/user-admin')[0].body).toEqual({ email, username: 'ada.l', rootRole: 1, sendEmail: true });
  });

  it('answers UNSUPPORTED for providers that cannot create users, without calling them', async () => {
    const res = await h.gql(CREATE_USER, { input: { email: `${uniqueName('u')}@example.com`, providers: ['hoop', 'versori', 'generic'] } });
    const payload = res.body.data.createUser;
    expect(payload.status).toBe('PARTIAL');
    const r = byProvider(payload.results);
    expect(r.versori).toMatchObject({ code: 'UNSUPPORTED', retryable: false });
    expect(r.generic).toMatchObject({ code: 'UNSUPPORTED', retryable: false });
    expect(h.sandboxes.versori.count()).toBe(0);
    expect(h.sandboxes.generic.count()).toBe(0);
  });

  it('an INVITED user is created on hoop; Unleash has no status and says UNSUPPORTED without a call', async () => {
    const res = await h.gql(CREATE_USER, { input: { email: `${uniqueName('u')}@example.com`, status: 'INVITED' } });
    const r = byProvider(res.body.data.createUser.results);
    expect(h.sandboxes.hoop.received('POST /users')[0].body).toMatchObject({ status: 'invited' });
    expect(r.hoop.user.status).toBe('INVITED');
    expect(r.unleash.code).toBe('UNSUPPORTED');
    expect(h.sandboxes.unleash.count()).toBe(0);
  });
});
