import { startSandboxes, type SandboxSet } from '../../src/sandbox/sandbox.set';

/** The hoop, Versori and generic sandboxes against their contracts (docs/providers.md). */
describe('sandbox providers', () => {
  let s: SandboxSet;
  beforeAll(async () => {
    s = await startSandboxes();
  });
  afterAll(() => s.stop());

  const post = async (url: string, body: unknown, authorization?: string, extra: Record<string, string> = {}) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}), ...extra },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  describe('hoop', () => {
    const auth = () => `Bearer ${s.tokens.SANDBOX_HOOP_TOKEN}`;
    const sa = (body: unknown) => post(`${s.hoop.baseUrl}/serviceaccounts`, body, auth());
    const user = (body: unknown) => post(`${s.hoop.baseUrl}/users`, body, auth());

    it('401 without the token; Api-Key header accepted too', async () => {
      expect((await post(`${s.hoop.baseUrl}/serviceaccounts`, { subject: 'x1', status: 'active' })).status).toBe(401);
      expect((await post(`${s.hoop.baseUrl}/serviceaccounts`, { subject: 'x1', status: 'active' }, 'Bearer wrong')).status).toBe(401);
      expect(
        (await post(`${s.hoop.baseUrl}/serviceaccounts`, { subject: 'x1', status: 'active' }, undefined, { 'api-key': s.tokens.SANDBOX_HOOP_TOKEN })).status,
      ).toBe(201);
    });
    it('service accounts: subject and status required (400), status enum (422), subject unique (409 "resource already exists")', async () => {
      expect((await sa({ name: 'no subject', status: 'active' })).status).toBe(400);
      expect((await sa({ subject: 's-enum', status: 'ACTIVE' })).status).toBe(422);
      const ok = await sa({ subject: 's-uniq', name: 'Display', status: 'inactive', groups: ['g'] });
      expect(ok).toEqual({
        status: 201,
        body: expect.objectContaining({
          id: expect.any(String),
          org_id: expect.any(String),
          subject: 's-uniq',
          name: 'Display',
          status: 'inactive',
          groups: ['g'],
        }),
      });
      expect(await sa({ subject: 's-uniq', status: 'active' })).toEqual({ status: 409, body: { message: 'resource already exists' } });
    });
    it('users: invalid e-mail 422, e-mail unique (409), the 201 echoes the password', async () => {
      expect((await user({ email: 'nope' })).status).toBe(422);
      const ok = await user({ email: 'Pat@Example.com', password: 'pw-1' });
      expect(ok.status).toBe(201);
      expect(ok.body).toMatchObject({ email: 'Pat@Example.com', status: 'active', password: 'pw-1', role: 'standard' });
      expect((await user({ email: 'pat@example.com' })).status).toBe(409);
    });
  });

  describe('versori', () => {
    const url = (org = 'org-sandbox') => `${s.versori.baseUrl}/organisations/${org}/service-accounts`;
    const auth = () => `JWT ${s.tokens.SANDBOX_VERSORI_TOKEN}`;
    it('needs `JWT <token>`; errors are {code, message, cause}', async () => {
      const res = await post(url(), { name: 'v1' }, `Bearer ${s.tokens.SANDBOX_VERSORI_TOKEN}`);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ code: expect.any(String), message: expect.any(String), cause: expect.any(String) });
    });
    it('name pattern, unknown organisation, unique name per organisation; the client secret in the 201', async () => {
      expect((await post(url(), { name: 'Bad Name' }, auth())).status).toBe(400);
      expect((await post(url('org-unknown'), { name: 'v2' }, auth())).status).toBe(404);
      const ok = await post(url(), { name: 'v2', roles: ['viewer'], groupIDs: ['g1'] }, auth());
      expect(ok.status).toBe(201);
      expect(ok.body).toMatchObject({
        id: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
        name: 'v2',
        email: 'v2@sa.org-sandbox.versori.com',
        clientId: expect.any(String),
        clientSecret: expect.any(String),
      });
      expect(ok.body.roleBindings[0]).toMatchObject({ role: { name: 'viewer' }, resource: { resourceType: 'organisation', resourceId: 'org-sandbox' } });
      expect((await post(url(), { name: 'v2' }, auth())).status).toBe(409);
    });
  });

  describe('generic', () => {
    const url = () => `${s.generic.baseUrl}/v1/service-accounts`;
    const auth = () => `Bearer ${s.tokens.SANDBOX_GENERIC_TOKEN}`;
    it('200 envelope on success; errors in the same envelope', async () => {
      const ok = await post(url(), { name: 'g1', permissions: ['org:read'] }, auth());
      expect(ok).toEqual({
        status: 200,
        body: {
          code: 200,
          message: 'success',
          requestId: expect.any(String),
          data: expect.objectContaining({ id: expect.any(String), name: 'g1', permissions: ['org:read'], status: 'active' }),
        },
      });
      const missing = await post(url(), { name: 'g2' }, auth());
      expect(missing).toEqual({ status: 400, body: { code: 400, data: null, message: 'permissions is required', requestId: expect.any(String) } });
      expect((await post(url(), { name: 'g1', permissions: ['x'] }, auth())).body.code).toBe(409);
      expect((await post(url(), { name: 'g3', permissions: ['x'] }, 'Bearer wrong')).status).toBe(401);
    });
  });

  it('counts calls per route and exposes them over HTTP for standalone use', async () => {
    s.reset();
    await post(`${s.generic.baseUrl}/v1/service-accounts`, { name: 'count-me', permissions: ['x'] }, `Bearer ${s.tokens.SANDBOX_GENERIC_TOKEN}`);
    expect(s.generic.counters()).toEqual({ 'POST /v1/service-accounts': 1 });
    const res = await fetch(`http://127.0.0.1:${s.generic.port}/__sandbox/calls`);
    expect(((await res.json()) as any).counters).toEqual({ 'POST /v1/service-accounts': 1 });
  });

  it('a fault naming a route the sandbox does not have is refused with the route names, not kept to never fire', async () => {
    const faults = `http://127.0.0.1:${s.hoop.port}/__sandbox/faults`;
    const refused = await fetch(faults, { method: 'POST', body: JSON.stringify({ route: 'POST /api/serviceaccounts', response: { status: 503 } }) });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as any).message).toBe(
      'no route named "POST /api/serviceaccounts"; routes: POST /serviceaccounts, POST /users (or none: any route)',
    );
    for (const body of ['null', '[]', '42', '{']) expect((await fetch(faults, { method: 'POST', body })).status).toBe(400);
    const ok = await fetch(faults, { method: 'POST', body: JSON.stringify({ route: 'POST /serviceaccounts', response: { status: 503 } }) });
    expect(ok.status).toBe(200);
    s.reset();
  });
});
