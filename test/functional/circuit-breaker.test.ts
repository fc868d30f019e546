import { CREATE_SA, CREATE_USER } from '../helpers/graphql.client';
import { startHarness, uniqueName, type Harness } from '../helpers/gateway.harness';

const HEALTH = '{ providers { id health { state circuit consecutiveFailures } } }';
const THRESHOLD = 5;
const RESET_MS = 1000;

describe('circuit breaker per provider', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      configure: (c) => c.providers.forEach((p: any) => (p.breaker = { failureThreshold: THRESHOLD, resetTimeoutMs: RESET_MS })),
    });
  });
  afterAll(() => h.close());
  beforeEach(() => h.sandboxes.reset());

  const health = async (id: string) => (await h.gql(HEALTH)).body.data.providers.find((p: any) => p.id === id).health;
  const create = (providers: string[]) => h.gql(CREATE_SA, { input: { name: uniqueName('cb'), providers } });

  it('a provider answering 503 to everything: the breaker opens, fails fast without calling it, then closes after it recovers', async () => {
    h.sandboxes.hoop.inject({ response: { status: 503, body: { message: 'down' } }, times: 1000 });
    const failures: any[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await create(['hoop', 'generic']);
      const [hoop, generic] = res.body.data.createServiceAccount.results;
      expect(generic.__typename).toBe('ServiceAccountCreated');
      failures.push(hoop);
    }
    // Far fewer than 40 calls reached it: the threshold, and nothing more within the reset delay.
    expect(h.sandboxes.hoop.count()).toBeGreaterThanOrEqual(THRESHOLD);
    expect(h.sandboxes.hoop.count()).toBeLessThanOrEqual(THRESHOLD + 2);
    const fastFails = failures.filter((f) => /circuit breaker is open/.test(f.message));
    expect(fastFails.length).toBeGreaterThanOrEqual(40 - THRESHOLD - 2);
    for (const f of fastFails) expect(f).toMatchObject({ code: 'UNAVAILABLE', retryable: true, httpStatus: null });
    expect(fastFails[0].retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(await health('hoop')).toMatchObject({ state: 'CIRCUIT_OPEN', circuit: 'OPEN' });
    expect(await health('generic')).toMatchObject({ state: 'HEALTHY', circuit: 'CLOSED' });

    // The provider recovers; after the reset delay one trial call goes through and closes the breaker.
    h.sandboxes.hoop.reset();
    let status = '';
    const until = Date.now() + RESET_MS + 5000;
    while (status !== 'SUCCEEDED' && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
      status = (await create(['hoop'])).body.data.createServiceAccount.status;
    }
    expect(status).toBe('SUCCEEDED');
    expect(await health('hoop')).toMatchObject({ state: 'HEALTHY', circuit: 'CLOSED' });
    expect((await create(['hoop'])).body.data.createServiceAccount.status).toBe('SUCCEEDED');
  });

  it('a half-open trial that fails opens it again', async () => {
    h.sandboxes.versori.inject({ reset: true, times: 1000 });
    for (let i = 0; i < THRESHOLD + 3; i++) await create(['versori']);
    expect(await health('versori')).toMatchObject({ circuit: 'OPEN' });
    await new Promise((r) => setTimeout(r, RESET_MS + 200));
    const calls = h.sandboxes.versori.count();
    const trial = (await create(['versori'])).body.data.createServiceAccount.results[0];
    expect(trial).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    expect(h.sandboxes.versori.count()).toBe(calls + 1);
    expect(await health('versori')).toMatchObject({ state: 'CIRCUIT_OPEN', circuit: 'OPEN' });
    h.sandboxes.versori.reset();
  });

  it('while a breaker is open, a plan says so: CIRCUIT_OPEN, nothing would be sent', async () => {
    h.sandboxes.unleash.inject({ response: { status: 503, body: { message: 'down' } }, times: 1000 });
    for (let i = 0; i < THRESHOLD + 2; i++) await create(['unleash']);
    expect(await health('unleash')).toMatchObject({ circuit: 'OPEN' });
    const plan = await h.gql(
      'query($input: CreateServiceAccountInput!) { planServiceAccount(input: $input) { wouldSend targets { provider { id } action message } } }',
      {
        input: { name: uniqueName('cb'), providers: ['unleash', 'generic'] },
      },
    );
    const { wouldSend, targets } = plan.body.data.planServiceAccount;
    expect(targets).toEqual([
      { provider: { id: 'unleash' }, action: 'CIRCUIT_OPEN', message: expect.stringContaining('circuit breaker is open') },
      { provider: { id: 'generic' }, action: 'CALL', message: null },
    ]);
    expect(wouldSend).toBe(true);
    const alone = await h.gql('query($input: CreateServiceAccountInput!) { planServiceAccount(input: $input) { wouldSend } }', {
      input: { name: uniqueName('cb'), providers: ['unleash'] },
    });
    expect(alone.body.data.planServiceAccount.wouldSend).toBe(false);
    // And the create does what the plan said: UNAVAILABLE without a call.
    const calls = h.sandboxes.unleash.count();
    expect((await create(['unleash'])).body.data.createServiceAccount.results[0]).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    expect(h.sandboxes.unleash.count()).toBe(calls);
    h.sandboxes.unleash.reset();
  });

  it("the generic API's 503 inside an HTTP 200 is an outage like a real 503: the breaker opens; its 429 inside a 200 does not", async () => {
    // Earlier tests' generic successes are still in the breaker's rolling window: run until it opens, bounded.
    h.sandboxes.generic.inject({ response: { status: 200, body: { code: 503, data: null, message: 'down', requestId: 'r' } }, times: 1000 });
    for (let i = 0; i < 100 && (await health('generic')).circuit !== 'OPEN'; i++) {
      expect((await create(['generic'])).body.data.createServiceAccount.results[0].code).toBe('UNAVAILABLE');
    }
    expect(await health('generic')).toMatchObject({ circuit: 'OPEN' });
    const calls = h.sandboxes.generic.count();
    expect((await create(['generic'])).body.data.createServiceAccount.results[0].message).toMatch(/circuit breaker is open/);
    expect(h.sandboxes.generic.count()).toBe(calls);
    // Recovered: the trial after the reset delay closes it again.
    h.sandboxes.generic.reset();
    let status = '';
    for (const until = Date.now() + RESET_MS + 5000; status !== 'SUCCEEDED' && Date.now() < until; await new Promise((r) => setTimeout(r, 200))) {
      status = (await create(['generic'])).body.data.createServiceAccount.status;
    }
    expect(status).toBe('SUCCEEDED');
    // A rate limit is an answer, inside a 200 as in a real 429: every call reaches the provider.
    h.sandboxes.generic.reset();
    h.sandboxes.generic.inject({ response: { status: 200, body: { code: 429, data: null, message: 'slow down', requestId: 'r' } }, times: THRESHOLD * 3 });
    for (let i = 0; i < THRESHOLD * 3; i++) expect((await create(['generic'])).body.data.createServiceAccount.results[0].code).toBe('RATE_LIMITED');
    expect(h.sandboxes.generic.count()).toBe(THRESHOLD * 3);
    expect(await health('generic')).toMatchObject({ circuit: 'CLOSED' });
  });

  it('a storm of 400, 409 and 422 rejections never opens it: every create still reaches the provider', async () => {
    const statuses = [400, 409, 422];
    h.sandboxes.generic.reset();
    for (let i = 0; i < 30; i++) {
      const status = statuses[i % 3];
      h.sandboxes.generic.inject({ response: { status, body: { code: status, data: null, message: `rejected ${status}`, requestId: `r${i}` } } });
      const f = (await create(['generic'])).body.data.createServiceAccount.results[0];
      expect(f.retryable).toBe(false);
    }
    expect(h.sandboxes.generic.count()).toBe(30);
    expect(await health('generic')).toMatchObject({ state: 'HEALTHY', circuit: 'CLOSED' });
  });

  it("Unleash's duplicate-username 500 is an answer (CONFLICT), not an outage: repeating a taken username never opens it", async () => {
    const username = uniqueName('taken');
    const createUser = () =>
      h.gql(CREATE_USER, { input: { email: `${uniqueName('e')}@example.com`, providers: ['unleash'], unleash: { username, rootRole: 3 } } });
    // An earlier test may have left Unleash's breaker open: its first create after the reset delay closes it.
    let first = '';
    for (const until = Date.now() + RESET_MS + 5000; first !== 'SUCCEEDED' && Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
      first = (await createUser()).body.data.createUser.status;
    }
    expect(first).toBe('SUCCEEDED');
    const before = h.sandboxes.unleash.count();
    for (let i = 0; i < THRESHOLD * 3; i++) {
      const [r] = (await createUser()).body.data.createUser.results;
      expect(r).toMatchObject({ code: 'CONFLICT', retryable: false, httpStatus: 500 });
    }
    // Every one of them reached Unleash, and the breaker is still closed for everybody else.
    expect(h.sandboxes.unleash.count()).toBe(before + THRESHOLD * 3);
    expect(await health('unleash')).toMatchObject({ circuit: 'CLOSED' });
    expect((await create(['unleash'])).body.data.createServiceAccount.status).toBe('SUCCEEDED');
  });
});
