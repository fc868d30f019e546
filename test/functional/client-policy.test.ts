import { createHash } from 'node:crypto';
import { exportSPKI, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { CREATE_SA, CREATE_USER } from '../helpers/graphql.client';
import { startHarness, uniqueName, type Harness } from '../helpers/gateway.harness';

const sha = (k: string) => createHash('sha256').update(k).digest('hex');
const LIMITED = 'limited-client-key-0123456789';
const HOOP_ONLY = 'hoop-only-client-key-0123456789';

describe('per-client policy: providers and privilege values (provider defaults included), refused before any call', () => {
  let h: Harness;
  let privateKey: KeyLike;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    const publicKey = await exportSPKI(pair.publicKey);
    h = await startHarness({
      configure: (c) => {
        c.providers.push({
          id: 'unleash-admin',
          kind: 'unleash',
          baseUrl: c.providers[1].baseUrl,
          tokenEnv: 'SANDBOX_UNLEASH_TOKEN',
          defaults: { rootRole: 'Admin' },
        });
        c.clients = [
          {
            id: 'limited',
            keySha256: sha(LIMITED),
            scopes: ['identity:read', 'identity:write'],
            policy: {
              allow: {
                'unleash.rootRole': ['Viewer'],
                'hoop.groups': ['readers'],
                'versori.roles': ['viewer'],
                'versori.groupIds': ['readers-group'],
                'versori.organisationId': ['org-sandbox'],
                'generic.permissions': ['org:read'],
              },
            },
          },
          { id: 'hoop-only', keySha256: sha(HOOP_ONLY), scopes: ['identity:read', 'identity:write'], policy: { providers: ['hoop'] } },
        ];
        c.jwt = {
          publicKey,
          issuer: 'https://idp.test',
          audience: 'identity-gateway',
          policies: [
            { claim: { name: 'team', value: 'ops' }, providers: ['hoop'] },
            { claim: { name: 'scope', value: 'partner' }, providers: ['versori'] },
          ],
          defaultPolicy: { providers: ['generic'] },
        };
      },
    });
  });
  afterAll(() => h.close());
  beforeEach(() => h.sandboxes.reset());

  const as = (key: string) => ({ authorization: `Bearer ${key}` });
  const jwt = (claims: Record<string, unknown>) =>
    new SignJWT({ scope: 'identity:read identity:write', ...claims })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('https://idp.test')
      .setAudience('identity-gateway')
      .setSubject(`svc-${Math.random().toString(36).slice(2)}`)
      .setExpirationTime('5m')
      .sign(privateKey);
  const noUpstream = () => {
    for (const s of h.sandboxes.all()) expect(s.count()).toBe(0);
  };

  it('a client whose policy leaves no provider able to create users is told it is its policy, not the config', async () => {
    // The default JWT policy allows generic only, which cannot create users (hoop and unleash can).
    const res = await h.gql(CREATE_USER, { input: { email: `${uniqueName('u')}@example.com` } }, { authorization: `Bearer ${await jwt({})}` });
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'providers' });
    expect(res.body.errors[0].message).toBe('providers: no provider this client may use can createUser');
    noUpstream();
  });
  async function expectDenied(res: { status: number; body: any }, field: string) {
    expect(res.status).toBe(403);
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', field });
    expect(res.body.errors[0].message).toContain(field);
    noUpstream();
  }

  it.each([
    ['unleash.rootRole', { providers: ['unleash'], unleash: { rootRole: 1 } }],
    ['hoop.groups', { providers: ['hoop'], hoop: { groups: ['readers', 'admins'] } }],
    ['versori.roles', { providers: ['versori'], versori: { roles: ['admin'] } }],
    ['versori.groupIds', { providers: ['versori'], versori: { groupIds: ['readers-group', 'admins-group'] } }],
    ['versori.organisationId', { providers: ['versori'], versori: { organisationId: 'another-org' } }],
    ['generic.permissions', { providers: ['generic'], generic: { permissions: ['org:write'] } }],
  ])('a value outside the policy is FORBIDDEN naming %s', async (field, patch) => {
    await expectDenied(await h.gql(CREATE_SA, { input: { name: uniqueName('pol'), ...patch } }, as(LIMITED)), field);
  });

  it('a plan of a create outside the policy is FORBIDDEN the same way', async () => {
    const plan = 'query($input: CreateServiceAccountInput!) { planServiceAccount(input: $input) { wouldSend } }';
    await expectDenied(
      await h.gql(plan, { input: { name: uniqueName('pol'), providers: ['unleash'], unleash: { rootRole: 1 } } }, as(LIMITED)),
      'unleash.rootRole',
    );
  });

  it('a privileged provider default counts as asked for: omitting rootRole on an Admin-default provider is FORBIDDEN', async () => {
    await expectDenied(await h.gql(CREATE_SA, { input: { name: uniqueName('pol'), providers: ['unleash-admin'] } }, as(LIMITED)), 'unleash.rootRole');
  });

  it("a user's groups are checked under the field the input names", async () => {
    await expectDenied(
      await h.gql(CREATE_USER, { input: { email: `${uniqueName('u')}@example.com`, name: 'U', groups: ['admins'], providers: ['hoop'] } }, as(LIMITED)),
      'groups',
    );
  });

  it('values inside the policy (a role by name or id) go through', async () => {
    const res = await h.gql(
      CREATE_SA,
      {
        input: {
          name: uniqueName('pol'),
          providers: ['unleash', 'hoop', 'versori', 'generic'],
          unleash: { rootRole: 3 },
          hoop: { groups: ['readers'] },
          versori: { groupIds: ['readers-group'] },
        },
      },
      as(LIMITED),
    );
    expect(res.body.data.createServiceAccount.status).toBe('SUCCEEDED');
  });

  it('a provider outside the policy is FORBIDDEN; leaving `providers` out targets only the allowed ones', async () => {
    await expectDenied(await h.gql(CREATE_SA, { input: { name: uniqueName('pol'), providers: ['hoop', 'versori'] } }, as(HOOP_ONLY)), 'providers');
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('pol') } }, as(HOOP_ONLY));
    expect(res.body.data.createServiceAccount.results.map((r: any) => r.provider.id)).toEqual(['hoop']);
    expect(h.sandboxes.versori.count() + h.sandboxes.generic.count() + h.sandboxes.unleash.count()).toBe(0);
  });

  it('JWT clients: a policy keyed by a claim value, else the default JWT policy (public-key verification)', async () => {
    await expectDenied(await h.gql(CREATE_SA, { input: { name: uniqueName('pol'), providers: ['generic'] } }, as(await jwt({ team: 'ops' }))), 'providers');
    await expectDenied(await h.gql(CREATE_SA, { input: { name: uniqueName('pol'), providers: ['hoop'] } }, as(await jwt({ team: 'dev' }))), 'providers');
    // A space-separated claim by definition (OAuth scope) matches by word: this token gets the versori-only policy.
    await expectDenied(
      await h.gql(CREATE_SA, { input: { name: uniqueName('pol'), providers: ['generic'] } }, as(await jwt({ scope: 'identity:read identity:write partner' }))),
      'providers',
    );
    // A list holding the value matches; a free-text claim that merely contains it does not.
    await expectDenied(
      await h.gql(CREATE_SA, { input: { name: uniqueName('pol'), providers: ['generic'] } }, as(await jwt({ team: ['dev', 'ops'] }))),
      'providers',
    );
    await expectDenied(await h.gql(CREATE_SA, { input: { name: uniqueName('pol'), providers: ['hoop'] } }, as(await jwt({ team: 'not ops' }))), 'providers');
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('pol') } }, as(await jwt({})));
    expect(res.body.data.createServiceAccount.results.map((r: any) => r.provider.id)).toEqual(['generic']);
  });
});
