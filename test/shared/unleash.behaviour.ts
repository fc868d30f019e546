import { randomBytes } from 'node:crypto';

/**
 * What an open-source Unleash server does with user and service-account creation
 * (docs/providers.md), as a suite that runs against the sandbox in `npm test` and
 * against a real unleash-server 8.2.0 in `npm run test:unleash`. A difference
 * between the two fails one of them.
 *
 * Every request carries its own X-Forwarded-For (the left-most value is the
 * rate-limit key), so these checks never eat into another test's budget.
 */
export interface UnleashTarget {
  baseUrl: string;
  adminToken: string;
}

let n = 0;
const uid = () => `${Date.now().toString(36)}${(n++).toString(36)}${randomBytes(2).toString('hex')}`;
const fakeIp = () => `10.${(n >> 8) & 255}.${n & 255}.${randomBytes(1)[0]}`;

export function unleashBehaviour(target: () => UnleashTarget): void {
  async function post(path: string, body: unknown, headers: Record<string, string | undefined> = {}) {
    const t = target();
    const h: Record<string, string> = { 'content-type': 'application/json', authorization: t.adminToken, 'x-forwarded-for': fakeIp() };
    for (const [k, v] of Object.entries(headers)) {
      if (v === undefined) delete h[k];
      else h[k] = v;
    }
    const res = await fetch(`${t.baseUrl}${path}`, { method: 'POST', headers: h, body: typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  }
  const createUser = (body: unknown, headers?: Record<string, string | undefined>) => post('/api/admin/user-admin', body, headers);

  describe('Unleash behaviour: authentication and request format', () => {
    it('no Authorization header: 401 AuthenticationRequired', async () => {
      const res = await createUser({ email: `${uid()}@example.com`, rootRole: 3 }, { authorization: undefined });
      expect(res.status).toBe(401);
      expect(res.json?.name).toBe('AuthenticationRequired');
    });

    it('a wrong token: 401', async () => {
      const res = await createUser({ email: `${uid()}@example.com`, rootRole: 3 }, { authorization: '*:*.not-the-token' });
      expect(res.status).toBe(401);
    });

    it('the raw token and `Bearer <token>` are both accepted', async () => {
      expect((await createUser({ email: `${uid()}@example.com`, rootRole: 3 })).status).toBe(201);
      expect((await createUser({ email: `${uid()}@example.com`, rootRole: 3 }, { authorization: `Bearer ${target().adminToken}` })).status).toBe(201);
    });

    it('a non-JSON content type: 415 ContentTypeError', async () => {
      const res = await createUser('email=x', { 'content-type': 'text/plain' });
      expect(res.status).toBe(415);
      expect(res.json?.name).toBe('ContentTypeError');
    });

    it('malformed JSON: an HTML 400 page', async () => {
      const res = await createUser('{"email": ', {});
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
    });
  });

  describe('Unleash behaviour: POST /api/admin/user-admin', () => {
    it('201 with a numeric id, the location header, the root role and a one-time invite link', async () => {
      const email = `${uid()}@example.com`;
      const res = await createUser({ email, name: 'Ada', rootRole: 3, sendEmail: false });
      expect(res.status).toBe(201);
      expect(typeof res.json.id).toBe('number');
      expect(res.headers.get('location')).toContain(String(res.json.id));
      expect(res.json).toMatchObject({ email, name: 'Ada', rootRole: 3 });
      expect(res.json.inviteLink).toMatch(/\/new-user\?token=/);
    });

    it('stores and answers the e-mail lower-cased; fields not sent are absent, not null', async () => {
      const local = uid();
      const res = await createUser({ email: `${local}@Example.COM`, rootRole: 3 });
      expect(res.status).toBe(201);
      expect(res.json.email).toBe(`${local}@example.com`);
      expect(res.json).not.toHaveProperty('name');
      expect(res.json).not.toHaveProperty('username');
    });

    it('an invalid e-mail: 400', async () => {
      const res = await createUser({ email: 'not-an-email', rootRole: 3 });
      expect(res.status).toBe(400);
      expect(res.json?.name).toBe('BadDataError');
    });

    it('rootRole as a numeric string is coerced to the id', async () => {
      const res = await createUser({ email: `${uid()}@example.com`, rootRole: '3' });
      expect(res.status).toBe(201);
      expect(res.json.rootRole).toBe(3);
    });

    it('a missing rootRole or a non-boolean sendEmail: 400', async () => {
      expect((await createUser({ email: `${uid()}@example.com` })).status).toBe(400);
      expect((await createUser({ email: `${uid()}@example.com`, rootRole: 3, sendEmail: 'yes' })).status).toBe(400);
    });

    it('a root role by name is accepted and echoed as the name', async () => {
      const res = await createUser({ email: `${uid()}@example.com`, rootRole: 'Viewer' });
      expect(res.status).toBe(201);
      expect(res.json.rootRole).toBe('Viewer');
    });

    it('an unknown root role id: 400 "Could not find rootRole=99"', async () => {
      const res = await createUser({ email: `${uid()}@example.com`, rootRole: 99 });
      expect(res.status).toBe(400);
      expect(res.text).toContain('Could not find rootRole=99');
    });

    it('unknown fields are rejected with 400', async () => {
      const res = await createUser({ email: `${uid()}@example.com`, rootRole: 3, groups: ['sre'] });
      expect(res.status).toBe(400);
      const res2 = await createUser({ email: `${uid()}@example.com`, rootRole: 3, status: 'active' });
      expect(res2.status).toBe(400);
    });

    it('neither e-mail nor username: 400', async () => {
      expect((await createUser({ name: 'nobody', rootRole: 3 })).status).toBe(400);
    });

    it('a duplicate e-mail, in any letter case: 400 with details "User already exists"', async () => {
      const email = `${uid()}@example.com`;
      expect((await createUser({ email, rootRole: 3 })).status).toBe(201);
      const dup = await createUser({ email: email.toUpperCase(), rootRole: 3 });
      expect(dup.status).toBe(400);
      expect(dup.json.details.map((d: any) => d.message)).toContain('User already exists');
    });

    it('a duplicate username without an e-mail: the same 400', async () => {
      const username = `u${uid()}`;
      expect((await createUser({ username, rootRole: 3 })).status).toBe(201);
      const dup = await createUser({ username, rootRole: 3 });
      expect(dup.status).toBe(400);
      expect(dup.json.details.map((d: any) => d.message)).toContain('User already exists');
    });

    it('a duplicate username with an e-mail: 500 whose message is SQL (users_username_key)', async () => {
      const username = `u${uid()}`;
      expect((await createUser({ email: `${uid()}@example.com`, username, rootRole: 3 })).status).toBe(201);
      const dup = await createUser({ email: `${uid()}@example.com`, username, rootRole: 3 });
      expect(dup.status).toBe(500);
      expect(dup.json?.name).toBe('UnknownError');
      expect(dup.text).toContain('users_username_key');
    });

    it('a name over 255 characters: 500 with SQL', async () => {
      const res = await createUser({ email: `${uid()}@example.com`, name: 'n'.repeat(256), rootRole: 3 });
      expect(res.status).toBe(500);
    });

    it('GET lists users and root roles', async () => {
      const t = target();
      const res = await fetch(`${t.baseUrl}/api/admin/user-admin`, { headers: { authorization: t.adminToken } });
      expect(res.status).toBe(200);
      const body: any = await res.json();
      expect(Array.isArray(body.users)).toBe(true);
      expect(body.rootRoles.map((r: any) => r.name)).toEqual(expect.arrayContaining(['Admin', 'Editor', 'Viewer']));
    });
  });

  describe('Unleash behaviour: POST /api/admin/service-account', () => {
    it('open source: 404 NotFoundError after authentication (a bad token is 401 first)', async () => {
      const body = { username: `sa${uid()}`, name: 'SA', rootRole: 3 };
      expect((await post('/api/admin/service-account', body, { authorization: 'wrong' })).status).toBe(401);
      const res = await post('/api/admin/service-account', body);
      expect(res.status).toBe(404);
      expect(res.json?.name).toBe('NotFoundError');
      expect(res.json?.details?.[0]?.message).toEqual(expect.any(String));
    });
  });
}
