import { byProvider, CREATE_SA } from '../helpers/graphql.client';
import { startHarness, uniqueName, type Harness } from '../helpers/gateway.harness';

const DEADLINE_MS = 1000;

describe('per-provider deadlines and transport faults', () => {
  let h: Harness;
  beforeAll(async () => {
    // No breaker: the suite sends one provider many faults in a row, and each test must see its own answer.
    h = await startHarness({ configure: (c) => c.providers.forEach((p: any) => Object.assign(p, { timeoutMs: DEADLINE_MS, breaker: { enabled: false } })) });
  });
  afterAll(() => h.close());
  beforeEach(() => h.sandboxes.reset());

  it('a hanging provider is TIMEOUT within its deadline while the others succeed: PARTIAL, answered in about the deadline', async () => {
    h.sandboxes.unleash.inject({ delayMs: 20_000 });
    const started = Date.now();
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('hang') } });
    const elapsed = Date.now() - started;
    const payload = res.body.data.createServiceAccount;
    expect(payload.status).toBe('PARTIAL');
    const r = byProvider(payload.results);
    expect(r.unleash).toMatchObject({ code: 'TIMEOUT', retryable: true, httpStatus: null });
    for (const id of ['hoop', 'versori', 'generic']) expect(r[id].__typename).toBe('ServiceAccountCreated');
    // A generous bound: the fan-out waits for the slowest target's deadline, not for the hung provider.
    expect(elapsed).toBeLessThan(DEADLINE_MS + 1500);
  });

  it('a connection reset once the request was under way: not re-sent, UNAVAILABLE, and the answer says the account may exist', async () => {
    h.sandboxes.hoop.inject({ reset: true });
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('rst'), providers: ['hoop', 'versori'] } });
    const r = byProvider(res.body.data.createServiceAccount.results);
    expect(r.hoop).toMatchObject({ code: 'UNAVAILABLE', retryable: true, httpStatus: null });
    expect(r.hoop.message).toMatch(/^hoop: the connection failed once the request was under way \(\w+\); the account may or may not have been created$/);
    expect(r.versori.__typename).toBe('ServiceAccountCreated');
    expect(h.sandboxes.hoop.count('POST /serviceaccounts')).toBe(1);
  });

  it('a reset after the provider created the account: the retry with the same key says an earlier attempt of this key may have created it', async () => {
    h.sandboxes.versori.inject({ resetAfter: true });
    const input = { name: uniqueName('rsta'), providers: ['versori'], idempotencyKey: uniqueName('rsta-key') };
    const first = (await h.gql(CREATE_SA, { input })).body.data.createServiceAccount;
    expect(first.status).toBe('FAILED');
    expect(first.results[0]).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    expect(first.results[0].message).toMatch(/the account may or may not have been created$/);

    const retry = (await h.gql(CREATE_SA, { input })).body.data.createServiceAccount;
    expect(retry.results[0]).toMatchObject({ code: 'CONFLICT', retryable: false, httpStatus: 409 });
    expect(retry.results[0].message).toMatch(
      /^already exists; an earlier attempt with this idempotency key that got no clear answer from this provider may have created it \(/,
    );
    // One account upstream: the first attempt's.
    const route = 'POST /organisations/{organisation_id}/service-accounts';
    expect(h.sandboxes.versori.received(route).map((c) => c.status)).toEqual([201, 409]);
  });

  it.each([502, 504])('a %s (a proxy in front of the provider) is retryable and says the account may exist', async (status) => {
    h.sandboxes.hoop.inject({ response: { status, text: '<html>Bad gateway</html>' } });
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName(`p${status}`), providers: ['hoop'] } });
    const f = res.body.data.createServiceAccount.results[0];
    expect(f).toMatchObject({ code: 'UNAVAILABLE', retryable: true, httpStatus: status });
    expect(f.message).toBe(`hoop answered HTTP ${status} (usually a proxy in front of it); the account may or may not have been created`);
  });

  describe('generic, whose contract has no duplicate check: an unknown outcome is never sent again', () => {
    const NOT_AGAIN =
      'not retryable: generic does not refuse a second create of the same identity, so sending it again could create a second one. Check generic for it before creating it another way';

    it('a reset after it created the account is not retryable; the retry with the same key is CONFLICT and sends nothing', async () => {
      h.sandboxes.generic.inject({ resetAfter: true });
      const input = { name: uniqueName('gnr'), providers: ['generic'], idempotencyKey: uniqueName('gnr-key') };
      const first = (await h.gql(CREATE_SA, { input })).body.data.createServiceAccount;
      expect(first.status).toBe('FAILED');
      expect(first.results[0]).toMatchObject({ code: 'UNAVAILABLE', retryable: false, retryAfterSeconds: null });
      expect(first.results[0].message).toMatch(
        new RegExp(`^generic: the connection failed once the request was under way \\(\\w+\\); the account may or may not have been created; `),
      );
      expect(first.results[0].message.endsWith(NOT_AGAIN)).toBe(true);

      const retry = await h.gql(CREATE_SA, { input });
      expect(retry.body.errors[0].extensions).toMatchObject({
        code: 'CONFLICT',
        original: { status: 'FAILED', results: [{ providerId: 'generic', code: 'UNAVAILABLE' }] },
      });
      // One account upstream: the first attempt's, whose answer was lost.
      expect(h.sandboxes.generic.count('POST /v1/service-accounts')).toBe(1);
    });

    it.each([502, 504])('a %s there is not retryable either', async (status) => {
      h.sandboxes.generic.inject({ response: { status, text: '<html>Bad gateway</html>' } });
      const res = await h.gql(CREATE_SA, { input: { name: uniqueName(`g${status}`), providers: ['generic'] } });
      const f = res.body.data.createServiceAccount.results[0];
      expect(f).toMatchObject({ code: 'UNAVAILABLE', retryable: false, httpStatus: status });
      expect(f.message).toBe(`generic answered HTTP ${status} (usually a proxy in front of it); the account may or may not have been created; ${NOT_AGAIN}`);
    });
  });

  it.each([
    ['a JSON body', { status: 429, body: { message: 'slow down' }, headers: { 'retry-after': '7' } }],
    ['an HTML body', { status: 429, text: '<html><body>Too many</body></html>', headers: { 'retry-after': '7' } }],
    ['no body', { status: 429, headers: { 'retry-after': '7' } }],
  ])('429 with Retry-After and %s → RATE_LIMITED with retryAfterSeconds', async (_label, response) => {
    h.sandboxes.generic.inject({ response });
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('rl'), providers: ['generic'] } });
    expect(res.body.data.createServiceAccount.results[0]).toMatchObject({ code: 'RATE_LIMITED', httpStatus: 429, retryable: true, retryAfterSeconds: 7 });
  });

  it('a 2xx larger than the 1 MiB response cap is INTERNAL, not retryable: the account may exist', async () => {
    h.sandboxes.hoop.inject({ response: { status: 201, body: { id: 'sa_big', name: 'big', padding: 'x'.repeat(1_100_000) } } });
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('big'), providers: ['hoop'] } });
    const f = res.body.data.createServiceAccount.results[0];
    expect(f).toMatchObject({ code: 'INTERNAL', retryable: false, httpStatus: 201 });
    expect(f.message).toMatch(/may have been created/);
  });

  it('a 2xx whose body breaks off is INTERNAL, not retryable: the account was created, and a retry would not get its credentials', async () => {
    h.sandboxes.versori.inject({ breakBody: true });
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('cut'), providers: ['versori'] } });
    const f = res.body.data.createServiceAccount.results[0];
    expect(f).toMatchObject({ code: 'INTERNAL', retryable: false, httpStatus: 201 });
    expect(f.message).toMatch(/^versori answered HTTP 201 with a body that broke off \(\w+\); the account may have been created$/);
    expect(h.sandboxes.versori.count()).toBe(1);
  });

  it("a 2xx whose body outlasts the deadline is still read within the call's whole budget: the account and its one-time secret reach the client", async () => {
    // Headers at ~0.7 s, the body's second half ~0.6 s later: past the 1 s deadline, within the call's worst case (3.2 s).
    h.sandboxes.versori.inject({ delayMs: 700, slowBodyMs: 600 });
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('slowb'), providers: ['versori'] } });
    const r = res.body.data.createServiceAccount.results[0];
    expect(r.__typename).toBe('ServiceAccountCreated');
    expect(r.credentials).toEqual([expect.objectContaining({ kind: 'CLIENT_SECRET', clientId: expect.any(String), secret: expect.stringMatching(/.{8}/) })]);
    expect(h.sandboxes.versori.count()).toBe(1);
  });

  it('a 2xx whose body is not whole within the budget is INTERNAL, not retryable, and says how long it waited', async () => {
    h.sandboxes.hoop.inject({ slowBodyMs: 10_000 });
    const started = Date.now();
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('slowc'), providers: ['hoop'] } });
    const f = res.body.data.createServiceAccount.results[0];
    expect(f).toMatchObject({ code: 'INTERNAL', retryable: false, httpStatus: 201 });
    expect(f.message).toBe('hoop answered HTTP 201 with a body that was not complete within 3200 ms; the account may have been created');
    expect(Date.now() - started).toBeLessThan(3200 + 1500);
  });

  it('a non-2xx answer gets no extra time: its body is cut at the deadline', async () => {
    h.sandboxes.hoop.inject({ response: { status: 503, body: { message: 'down' } }, slowBodyMs: 10_000 });
    const started = Date.now();
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('slow5'), providers: ['hoop'] } });
    expect(res.body.data.createServiceAccount.results[0]).toMatchObject({ httpStatus: 503 });
    expect(Date.now() - started).toBeLessThan(DEADLINE_MS + 1500);
  });

  it("an oversized error answer keeps its status's code", async () => {
    h.sandboxes.hoop.inject({ response: { status: 503, text: 'x'.repeat(1_100_000) } });
    const res = await h.gql(CREATE_SA, { input: { name: uniqueName('big5'), providers: ['hoop'] } });
    expect(res.body.data.createServiceAccount.results[0]).toMatchObject({ code: 'UNAVAILABLE', retryable: true, httpStatus: 503 });
  });
});
