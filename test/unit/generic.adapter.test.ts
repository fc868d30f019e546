import type { ProviderAdapter, ServiceAccountSpec } from '../../src/domain';
import { genericModule } from '../../src/providers/generic/generic.module';
import { readyCall } from '../helpers/prepared';
import { adapterTestbed } from '../helpers/adapter.testbed';

const bed = adapterTestbed(genericModule);
const server = bed.server;

function generic(defaults: Record<string, unknown> = { permissions: ['org:read'] }): ProviderAdapter {
  return bed.adapter({ id: 'billing-api', baseUrl: server.url, tokenEnv: 'BILLING_TOKEN', defaults });
}

const sa = (extra: Partial<ServiceAccountSpec> = {}, options?: Record<string, unknown>): ServiceAccountSpec => ({
  name: 'deploy-bot',
  status: 'ACTIVE',
  ...extra,
  options: options ? { generic: options } : {},
});

const envelope = (code: number, data: unknown, message = 'success') => ({ code, data, message, requestId: 'req-1' });

describe('generic adapter: preparing', () => {
  it('service accounts only', () => {
    expect(Object.keys(generic().prepare)).toEqual(['createServiceAccount']);
  });

  it('no permissions in the input or the defaults, or an empty list → invalid, naming generic.permissions', () => {
    const problem = { kind: 'invalid', problems: [{ field: 'generic.permissions', message: 'required by billing-api (no default permissions configured)' }] };
    expect(generic({}).prepare.createServiceAccount!(sa())).toEqual(problem);
    expect(generic({}).prepare.createServiceAccount!(sa({}, { permissions: [] }))).toEqual(problem);
  });

  it('INACTIVE is unsupported', () => {
    expect(generic().prepare.createServiceAccount!(sa({ status: 'INACTIVE' }))).toEqual({
      kind: 'unsupported',
      message: 'billing-api creates service accounts active only; cannot create one INACTIVE',
    });
  });

  it('the natural key is the name', () => {
    expect(readyCall(generic().prepare.createServiceAccount!(sa())).naturalKey).toBe('deploy-bot');
  });
});

describe('generic adapter: the call', () => {
  it('POSTs {name, description, permissions} with a Bearer token and unwraps the 200 envelope', async () => {
    server.answer({ status: 200, body: envelope(200, { id: 'sa_1', name: 'deploy-bot', status: 'active', createdAt: '2026-11-23T12:00:00Z' }) });
    const outcome = await readyCall(
      generic().prepare.createServiceAccount!(sa({ description: 'used by CI', displayName: 'not sent' }, { permissions: ['org:write'] })),
    ).send();

    expect(server.last.method).toBe('POST');
    expect(server.last.path).toBe('/v1/service-accounts');
    expect(server.last.headers.authorization).toBe('Bearer t');
    expect(server.last.json).toEqual({ name: 'deploy-bot', description: 'used by CI', permissions: ['org:write'] });
    expect(outcome).toEqual({
      kind: 'created',
      httpStatus: 200,
      entity: { id: 'sa_1', name: 'deploy-bot', status: 'ACTIVE', createdAt: '2026-11-23T12:00:00Z' },
      credentials: [],
    });
  });

  it('permissions default from the config; an absent description is not sent', async () => {
    server.answer({ status: 200, body: envelope(200, { id: 'sa_2' }) });
    await readyCall(generic().prepare.createServiceAccount!(sa())).send();
    expect(server.last.json).toEqual({ name: 'deploy-bot', permissions: ['org:read'] });
  });

  it('an envelope without a numeric code counts as success', async () => {
    server.answer({ status: 200, body: { data: { id: 3 } } });
    expect(await readyCall(generic().prepare.createServiceAccount!(sa())).send()).toEqual({
      kind: 'created',
      httpStatus: 200,
      entity: { id: '3', name: 'deploy-bot' },
      credentials: [],
    });
  });

  it('an error code inside an HTTP 200 is a failure mapped like a status, with its 4xx message', async () => {
    server.answer({ status: 200, body: envelope(409, null, 'service account name taken') });
    expect(await readyCall(generic().prepare.createServiceAccount!(sa())).send()).toEqual({
      kind: 'failed',
      failure: { code: 'CONFLICT', message: 'service account name taken', httpStatus: 409, retryable: false, upstreamRequestId: 'req-1' },
    });
    server.answer({ status: 200, body: envelope(429, null, 'slow down') });
    expect(await readyCall(generic().prepare.createServiceAccount!(sa())).send()).toMatchObject({
      failure: { code: 'RATE_LIMITED', retryable: true, httpStatus: 429 },
    });
  });

  it("an error code inside a 200 is that status throughout: a 429's or 503's Retry-After is kept as on a real one", async () => {
    server.answer({ status: 200, body: envelope(429, null, 'slow down'), headers: { 'retry-after': '17' } });
    expect(await readyCall(generic().prepare.createServiceAccount!(sa())).send()).toMatchObject({
      failure: { code: 'RATE_LIMITED', retryable: true, httpStatus: 429, retryAfterSeconds: 17 },
    });
    server.answer({ status: 200, body: envelope(503, null, 'maintenance'), headers: { 'retry-after': '30' } });
    expect(await readyCall(generic().prepare.createServiceAccount!(sa())).send()).toMatchObject({
      failure: { code: 'UNAVAILABLE', httpStatus: 503, retryAfterSeconds: 30, message: 'billing-api answered code 503' },
    });
    // A 502 or 307 inside an envelope is the provider's own answer, not a proxy's or a redirect.
    server.answer({ status: 200, body: envelope(502, null, 'upstream') });
    const proxied = await readyCall(generic().prepare.createServiceAccount!(sa())).send();
    expect(proxied).toMatchObject({ failure: { code: 'UNAVAILABLE', httpStatus: 502, message: 'billing-api answered code 502' } });
    expect((proxied as { failure: object }).failure).not.toHaveProperty('mayHaveCreated');
  });

  it("an envelope's 4xx message quoting the token near the 300-character cut: scrubbed before it is trimmed", async () => {
    const token = 'tok-0123456789abcdef';
    const adapter = bed.adapter({ id: 'billing-api', baseUrl: server.url, tokenEnv: 'BILLING_TOKEN', defaults: { permissions: ['org:read'] } }, token);
    server.answer({ status: 200, body: envelope(401, null, `${'x'.repeat(280)} Bearer ${token} refused`) });
    const out = await readyCall(adapter.prepare.createServiceAccount!(sa())).send();
    expect(out).toMatchObject({ kind: 'failed', failure: { code: 'UNAUTHORIZED', httpStatus: 401 } });
    const message = (out as { failure: { message: string } }).failure.message;
    expect(message).toBe(`${'x'.repeat(280)} <redacted> refused`);
    expect(message).not.toContain(token.slice(0, 8));
  });

  it.each([2.5, 99999999999, 42, -409])(
    'an envelope code %p that is no HTTP status: a body the gateway cannot read (INTERNAL, not retryable)',
    async (code) => {
      server.answer({ status: 200, body: envelope(code, null, 'boom') });
      expect(await readyCall(generic().prepare.createServiceAccount!(sa())).send()).toEqual({
        kind: 'failed',
        failure: {
          code: 'INTERNAL',
          message: 'billing-api answered HTTP 200 with a body the gateway cannot read; the account may have been created',
          httpStatus: 200,
          retryable: false,
          upstreamRequestId: 'req-1',
        },
      });
    },
  );

  it("a 5xx code inside a 200 never forwards the envelope's message", async () => {
    server.answer({ status: 200, body: envelope(503, null, 'db pool exhausted at 10.0.0.7:5432') });
    expect(await readyCall(generic().prepare.createServiceAccount!(sa())).send()).toEqual({
      kind: 'failed',
      failure: { code: 'UNAVAILABLE', message: 'billing-api answered code 503', httpStatus: 503, retryable: true, upstreamRequestId: 'req-1' },
    });
  });

  it('a success envelope is a create whatever its data holds (the contract requires none of its fields): no id, the name sent', async () => {
    const bodies = [
      envelope(200, { name: 'deploy-bot' }),
      envelope(200, { createdAt: '2024-01-01T00:00:00Z', organizationId: 'o', permissions: ['org:read'] }),
      envelope(200, {}),
      envelope(200, null),
      { code: 200, message: 'success', requestId: 'req_77' },
    ];
    for (const body of bodies) {
      server.answer({ status: 200, body });
      expect([body, await readyCall(generic().prepare.createServiceAccount!(sa())).send()]).toEqual([
        body,
        { kind: 'created', httpStatus: 200, entity: expect.objectContaining({ id: undefined, name: 'deploy-bot' }), credentials: [] },
      ]);
    }
  });

  it("a 2xx that is no envelope, or whose data is no object, is unreadable (INTERNAL, not retryable), its requestId kept for the provider's support", async () => {
    const bodies = [
      {},
      { id: 'sa_1' },
      [envelope(200, { id: 'sa_1' })],
      { code: 200, data: 'sa_1', requestId: 'req_78' },
      // A code that is no number: the contract's is an integer, and these read as errors more than as success.
      { code: 'abc', message: 'Permission denied' },
      { code: 'ERROR', message: 'quota exceeded', requestId: 'req_78' },
      { code: null, message: 'internal error' },
      { code: true },
      { code: '200abc' },
    ];
    for (const body of bodies) {
      server.answer({ status: 200, body });
      const out = await readyCall(generic().prepare.createServiceAccount!(sa())).send();
      expect([body, out]).toEqual([
        body,
        {
          kind: 'failed',
          failure: {
            code: 'INTERNAL',
            message: 'billing-api answered HTTP 200 with a body the gateway cannot read; the account may have been created',
            httpStatus: 200,
            retryable: false,
            ...('requestId' in body ? { upstreamRequestId: 'req_78' } : {}),
          },
        },
      ]);
    }
  });

  it('an envelope code sent as a string of digits is that code', async () => {
    server.answer({ status: 200, body: { code: '500', data: { status: 'error' }, message: 'boom' } });
    expect(await readyCall(generic().prepare.createServiceAccount!(sa())).send()).toMatchObject({
      kind: 'failed',
      failure: { code: 'UNAVAILABLE', httpStatus: 500 },
    });
    server.answer({ status: 200, body: { code: '409', data: null, message: 'name taken' } });
    expect(await readyCall(generic().prepare.createServiceAccount!(sa())).send()).toMatchObject({
      kind: 'failed',
      failure: { code: 'CONFLICT', message: 'name taken' },
    });
  });

  it("the envelope's requestId is kept on a failure of any status, for the provider's support; a value that is no id is dropped", async () => {
    server.answer({ status: 502, body: envelope(502, null, 'bad gateway') });
    expect(await readyCall(generic().prepare.createServiceAccount!(sa())).send()).toEqual({
      kind: 'failed',
      failure: {
        code: 'UNAVAILABLE',
        message: 'billing-api answered HTTP 502 (usually a proxy in front of it); the account may or may not have been created',
        httpStatus: 502,
        retryable: true,
        mayHaveCreated: true,
        upstreamRequestId: 'req-1',
      },
    });
    const token = 'tok-0123456789abcdef';
    const withToken = bed.adapter({ id: 'billing-api', baseUrl: server.url, tokenEnv: 'BILLING_TOKEN', defaults: { permissions: ['org:read'] } }, token);
    server.answer({ status: 409, body: { code: 409, data: null, message: 'taken', requestId: `req-${token}` } });
    expect((await readyCall(withToken.prepare.createServiceAccount!(sa())).send()) as object).toEqual({
      kind: 'failed',
      failure: { code: 'CONFLICT', message: 'taken', httpStatus: 409, retryable: false },
    });
    for (const requestId of ['has spaces', 'x'.repeat(129), 'line\nbreak', '']) {
      server.answer({ status: 409, body: { code: 409, data: null, message: 'taken', requestId } });
      const out = await readyCall(generic().prepare.createServiceAccount!(sa())).send();
      expect(out).toMatchObject({ kind: 'failed', failure: { code: 'CONFLICT' } });
      expect((out as { failure: object }).failure).not.toHaveProperty('upstreamRequestId');
    }
  });

  it('a non-2xx HTTP answer in the envelope carries its 4xx message', async () => {
    server.answer({ status: 403, body: envelope(403, null, 'token lacks service-accounts:write') });
    expect(await readyCall(generic().prepare.createServiceAccount!(sa())).send()).toEqual({
      kind: 'failed',
      failure: { code: 'FORBIDDEN', message: 'token lacks service-accounts:write', httpStatus: 403, retryable: false, upstreamRequestId: 'req-1' },
    });
  });
});
