import type Redis from 'ioredis';
import { CREATE_SA, CREATE_USER } from '../helpers/graphql.client';
import { redisHarnessForBlock, startHarness, uniqueName, type Harness } from '../helpers/gateway.harness';
import { sample, scrape } from '../helpers/metrics.scrape';

const PLAN_SA = /* GraphQL */ `
  query Plan($input: CreateServiceAccountInput!) {
    planServiceAccount(input: $input) {
      operation
      idempotencyKey
      keyDerived
      keyState
      wouldSend
      targets {
        provider {
          id
        }
        action
        naturalKey
        guard
        message
        request {
          method
          url
          headerNames
          body {
            path
            value
          }
          bodyJson
        }
      }
    }
  }
`;
const PLAN_USER = PLAN_SA.replace('CreateServiceAccountInput', 'CreateUserInput').replace('planServiceAccount', 'planUser');

const byId = (targets: any[]) => Object.fromEntries(targets.map((t) => [t.provider.id, t]));

describe('a plan shows exactly what a create would do, and does none of it', () => {
  let h: Harness;
  let redis: Redis;
  const keysNow = async () => (await redis.keys(`${h.keyPrefix}*`)).sort();
  const upstreamCalls = () => h.sandboxes.count();

  redisHarnessForBlock((harness, client) => {
    h = harness;
    redis = client;
  });
  beforeEach(() => h.sandboxes.reset());

  it('a new create: every target CALL with its exact request; nothing claimed, guarded or sent', async () => {
    const before = await keysNow();
    const name = uniqueName('plan');
    const res = await h.gql(PLAN_SA, { input: { name, displayName: 'Plan me', hoop: { groups: ['sre'] } } });
    expect(res.body.errors).toBeUndefined();
    const plan = res.body.data.planServiceAccount;
    expect(plan).toMatchObject({ operation: 'CREATE_SERVICE_ACCOUNT', keyDerived: true, keyState: 'NEW', wouldSend: true });
    expect(plan.idempotencyKey).toMatch(/^derived:[0-9a-f]{64}$/);
    const t = byId(plan.targets);
    expect(Object.keys(t)).toEqual(['hoop', 'unleash', 'versori', 'generic']);
    for (const target of plan.targets) expect(target).toMatchObject({ action: 'CALL', guard: 'FREE' });
    expect(t.hoop.naturalKey).toBe(name);
    expect(t.hoop.request).toMatchObject({
      method: 'POST',
      url: `${h.sandboxes.hoop.baseUrl}/serviceaccounts`,
      headerNames: ['content-type', 'accept', 'authorization'],
    });
    expect(JSON.parse(t.hoop.request.bodyJson)).toEqual({ subject: name, name: 'Plan me', status: 'active', groups: ['sre'] });
    expect(t.hoop.request.body).toContainEqual({ path: 'groups[0]', value: '"sre"' });
    expect(JSON.parse(t.unleash.request.bodyJson)).toEqual({ username: name, name: 'Plan me', rootRole: 3 });
    expect(t.versori.request.url).toMatch(/\/organisations\/[^/]+\/service-accounts$/);
    // The same create then does what the plan said, under the key the plan showed.
    expect(upstreamCalls()).toBe(0);
    expect(await keysNow()).toEqual(before);
    const created = await h.gql(CREATE_SA, { input: { name, displayName: 'Plan me', hoop: { groups: ['sre'] } } });
    expect(created.body.data.createServiceAccount.idempotencyKey).toBe(plan.idempotencyKey);
    expect(h.sandboxes.hoop.received()[0].body).toEqual(JSON.parse(t.hoop.request.bodyJson));
  });

  it("createServiceAccount and createUser with dryRun: true (the contract's form) answer DRY_RUN with the same plan, and do none of it", async () => {
    const before = await keysNow();
    const counted = async (operation: string, outcome: string) =>
      sample((await scrape(h.url)).samples, 'idgw_graphql_requests_total', { operation, type: 'mutation', outcome }) ?? 0;
    const [okBefore, dryBefore, dryUsersBefore] = [
      await counted('createServiceAccount', 'ok'),
      await counted('createServiceAccount', 'dry_run'),
      await counted('createUser', 'dry_run'),
    ];
    const name = uniqueName('dry');
    const password = `pw-${uniqueName('secret')}`;
    const dry = await h.gql(
      `mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input, dryRun: true) {
        idempotencyKey status results { __typename } plan { keyState wouldSend targets { provider { id } action naturalKey request { bodyJson } } } } }`,
      { input: { name, providers: ['hoop', 'unleash'] } },
    );
    expect(dry.body.errors).toBeUndefined();
    const payload = dry.body.data.createServiceAccount;
    const planned = (await h.gql(PLAN_SA, { input: { name, providers: ['hoop', 'unleash'] } })).body.data.planServiceAccount;
    expect(payload).toMatchObject({ idempotencyKey: planned.idempotencyKey, status: 'DRY_RUN', results: [], plan: { keyState: 'NEW', wouldSend: true } });
    expect(payload.plan.targets).toEqual(
      planned.targets.map((t: any) => ({ provider: t.provider, action: t.action, naturalKey: t.naturalKey, request: { bodyJson: t.request.bodyJson } })),
    );
    const user = await h.gql(
      'mutation($input: CreateUserInput!, $dry: Boolean!) { createUser(input: $input, dryRun: $dry) { status plan { targets { request { bodyJson } } } } }',
      { input: { email: `${uniqueName('u')}@example.com`, providers: ['hoop'], hoop: { password } }, dry: true },
    );
    expect(user.body.data.createUser.status).toBe('DRY_RUN');
    expect(JSON.parse(user.body.data.createUser.plan.targets[0].request.bodyJson).password).toBe('<redacted>');
    expect(user.text).not.toContain(password);
    expect(upstreamCalls()).toBe(0);
    expect(await keysNow()).toEqual(before);
    // Metrics count them as dry runs: an `ok` create still means an account was made.
    expect(await counted('createServiceAccount', 'dry_run')).toBe(dryBefore + 1);
    expect(await counted('createUser', 'dry_run')).toBe(dryUsersBefore + 1);
    expect(await counted('createServiceAccount', 'ok')).toBe(okBefore);
    // dryRun: false (the default) is the create itself; its payload has no plan.
    const made = await h.gql(
      `mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input, dryRun: false) { status plan { keyState } } }`,
      {
        input: { name, providers: ['hoop'] },
      },
    );
    expect(made.body.data.createServiceAccount).toEqual({ status: 'SUCCEEDED', plan: null });
    expect(upstreamCalls()).toBe(1);
    expect(await counted('createServiceAccount', 'ok')).toBe(okBefore + 1);
  });

  it('dryRun sent as a null variable means what leaving it out means', async () => {
    const res = await h.gql('mutation($i: CreateServiceAccountInput!, $d: Boolean) { createServiceAccount(input: $i, dryRun: $d) { status } }', {
      i: { name: uniqueName('dnull'), providers: ['hoop'] },
      d: null,
    });
    expect(res.body).toEqual({ data: { createServiceAccount: { status: 'SUCCEEDED' } } });
    expect(upstreamCalls()).toBe(1);
  });

  it('no credential value and no secret in a plan: header names only, the password redacted', async () => {
    const password = `pw-${uniqueName('secret')}`;
    const res = await h.gql(PLAN_USER, { input: { email: `${uniqueName('u')}@example.com`, providers: ['hoop', 'unleash', 'versori'], hoop: { password } } });
    const t = byId(res.body.data.planUser.targets);
    expect(JSON.parse(t.hoop.request.bodyJson).password).toBe('<redacted>');
    expect(res.text).not.toContain(password);
    for (const token of Object.values(h.sandboxes.tokens)) expect(res.text).not.toContain(token);
    expect(t.versori).toMatchObject({ action: 'UNSUPPORTED', request: null });
    expect(upstreamCalls()).toBe(0);
  });

  it('after the create: COMPLETED, nothing would be sent; other input under the key: REUSED', async () => {
    const input = { name: uniqueName('done'), providers: ['hoop', 'generic'], idempotencyKey: uniqueName('k') };
    await h.gql(CREATE_SA, { input });
    h.sandboxes.reset();
    const again = (await h.gql(PLAN_SA, { input })).body.data.planServiceAccount;
    expect(again).toMatchObject({ keyState: 'COMPLETED', wouldSend: false, keyDerived: false });
    for (const t of again.targets) expect(t).toMatchObject({ action: 'NOT_SENT', guard: 'HELD_BY_THIS_KEY' });
    const reused = (await h.gql(PLAN_SA, { input: { ...input, displayName: 'other' } })).body.data.planServiceAccount;
    expect(reused).toMatchObject({ keyState: 'REUSED', wouldSend: false });
    const otherKey = (await h.gql(PLAN_SA, { input: { ...input, idempotencyKey: uniqueName('k2') } })).body.data.planServiceAccount;
    expect(otherKey).toMatchObject({ keyState: 'NEW', wouldSend: false });
    for (const t of otherKey.targets) expect(t).toMatchObject({ action: 'GUARD_CONFLICT', guard: 'HELD_BY_OTHER' });
    expect(upstreamCalls()).toBe(0);
  });

  it("while another key's create is running: GUARD_BUSY (retryable), as the create then answers", async () => {
    const name = uniqueName('busy');
    h.sandboxes.hoop.inject({ delayMs: 600 });
    const running = h.gql(CREATE_SA, { input: { name, providers: ['hoop'], idempotencyKey: uniqueName('k1') } });
    await new Promise((r) => setTimeout(r, 200));
    const other = { name, providers: ['hoop'], idempotencyKey: uniqueName('k2') };
    const plan = (await h.gql(PLAN_SA, { input: other })).body.data.planServiceAccount;
    expect(byId(plan.targets).hoop).toMatchObject({ action: 'GUARD_BUSY', guard: 'HELD_BY_OTHER' });
    const create = (await h.gql(CREATE_SA, { input: other })).body.data.createServiceAccount;
    expect(create.results[0]).toMatchObject({ code: 'CONFLICT', retryable: true, message: byId(plan.targets).hoop.message });
    expect((await running).body.data.createServiceAccount.status).toBe('SUCCEEDED');
    expect(h.sandboxes.hoop.count()).toBe(1);
  });

  it("a key whose record expired before the guard it kept: the plan and the create both say it was this key's earlier request", async () => {
    const input = { name: uniqueName('expired'), providers: ['hoop'], idempotencyKey: uniqueName('k') };
    expect((await h.gql(CREATE_SA, { input })).body.data.createServiceAccount.status).toBe('SUCCEEDED');
    // The record's TTL runs from its creation, the guard's from completion: the record goes first.
    const records = (await keysNow()).filter((k) => k.startsWith(`${h.keyPrefix}rec:`));
    for (const k of records) await redis.del(k);
    h.sandboxes.reset();
    const plan = (await h.gql(PLAN_SA, { input })).body.data.planServiceAccount;
    expect(plan).toMatchObject({ keyState: 'NEW', wouldSend: false });
    expect(byId(plan.targets).hoop).toMatchObject({ action: 'GUARD_CONFLICT', guard: 'HELD_BY_THIS_KEY' });
    expect(byId(plan.targets).hoop.message).toMatch(/^an earlier request with this idempotency key, whose record has since expired/);
    const create = (await h.gql(CREATE_SA, { input })).body.data.createServiceAccount;
    expect(create.results[0]).toMatchObject({ code: 'CONFLICT', retryable: false, message: byId(plan.targets).hoop.message });
    expect(h.sandboxes.hoop.count()).toBe(0);
  });

  it('after a PARTIAL: RETRY, the success replayed, only the retryable failure called again', async () => {
    const input = { name: uniqueName('part'), providers: ['hoop', 'versori'], idempotencyKey: uniqueName('k') };
    h.sandboxes.versori.inject({ response: { status: 503, body: { code: 'unavailable', message: 'down' } } });
    expect((await h.gql(CREATE_SA, { input })).body.data.createServiceAccount.status).toBe('PARTIAL');
    h.sandboxes.reset();
    const plan = (await h.gql(PLAN_SA, { input })).body.data.planServiceAccount;
    expect(plan).toMatchObject({ keyState: 'RETRY', wouldSend: true });
    expect(byId(plan.targets).hoop).toMatchObject({ action: 'REPLAY' });
    expect(byId(plan.targets).versori).toMatchObject({ action: 'CALL', guard: 'FREE' });
    expect(upstreamCalls()).toBe(0);
  });

  it('bad input is the same BAD_USER_INPUT a create would get', async () => {
    const res = await h.gql(PLAN_SA, { input: { name: 'Not A Slug' } });
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
  });
});

describe('a plan needs identity:write', () => {
  it('a read-only client gets FORBIDDEN', async () => {
    const { createHash } = await import('node:crypto');
    const h = await startHarness({
      configure: (c) => (c.clients = [{ id: 'reader', keySha256: createHash('sha256').update('reader-key').digest('hex'), scopes: ['identity:read'] }]),
    });
    try {
      const res = await h.gql(PLAN_SA, { input: { name: uniqueName('ro') } }, { authorization: 'Bearer reader-key' });
      expect(res.body.errors[0].extensions.code).toBe('FORBIDDEN');
      expect(h.sandboxes.count()).toBe(0);
    } finally {
      await h.close();
    }
  });
});

describe('a derived key belongs to its client', () => {
  it("another client planning the same input (a guessed password) never reproduces a victim's derived key", async () => {
    const { createHash } = await import('node:crypto');
    const client = (id: string) => ({
      id,
      keySha256: createHash('sha256').update(`${id}-key`).digest('hex'),
      scopes: ['identity:read' as const, 'identity:write' as const, 'identity:audit' as const],
    });
    const h = await startHarness({ configure: (c) => (c.clients = [client('victim'), client('prober')]) });
    try {
      const input = { email: `${uniqueName('pw')}@example.com`, providers: ['hoop'], hoop: { password: 'Winter2026!' } };
      const created = await h.gql(CREATE_USER, { input }, { authorization: 'Bearer victim-key' });
      const victimKey = created.body.data.createUser.idempotencyKey;
      expect(victimKey).toMatch(/^derived:[0-9a-f]{64}$/);
      // The victim's own plan of the same input finds its record under the same key.
      const own = await h.gql(PLAN_USER, { input }, { authorization: 'Bearer victim-key' });
      expect(own.body.data.planUser).toMatchObject({ idempotencyKey: victimKey, keyState: 'COMPLETED' });
      // The right guess, planned by another client, gives a key unrelated to the victim's.
      const probe = await h.gql(PLAN_USER, { input }, { authorization: 'Bearer prober-key' });
      expect(probe.body.data.planUser.idempotencyKey).toMatch(/^derived:[0-9a-f]{64}$/);
      expect(probe.body.data.planUser.idempotencyKey).not.toBe(victimKey);
      expect(probe.body.data.planUser.keyState).toBe('NEW');
    } finally {
      await h.close();
    }
  });
});
