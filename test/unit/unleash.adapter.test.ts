import type { ProviderAdapter, ServiceAccountSpec, UserSpec } from '../../src/domain';
import { unleashModule } from '../../src/providers/unleash/unleash.module';
import { readyCall } from '../helpers/prepared';
import { adapterTestbed } from '../helpers/adapter.testbed';

const bed = adapterTestbed(unleashModule);
const server = bed.server;

function unleash(config: Record<string, unknown> = { defaults: { rootRole: 'Viewer' } }): ProviderAdapter {
  return bed.adapter({ id: 'unleash', baseUrl: server.url, tokenEnv: 'UNLEASH_ADMIN_TOKEN', ...config });
}

const sa = (extra: Partial<ServiceAccountSpec> = {}, options?: Record<string, unknown>): ServiceAccountSpec => ({
  name: 'deploy-bot',
  status: 'ACTIVE',
  ...extra,
  options: options ? { unleash: options } : {},
});

const user = (extra: Partial<UserSpec> = {}, options?: Record<string, unknown>): UserSpec => ({
  email: 'Pat@Example.com',
  status: 'ACTIVE',
  ...extra,
  options: options ? { unleash: options } : {},
});

/** Unleash's usual error body: `{id?, name, message, details: [{message}]}`. */
const unleashError = (name: string, ...details: string[]) => ({ name, message: `${name} happened`, details: details.map((message) => ({ message })) });

describe('unleash adapter: preparing', () => {
  it('the open-source edition has no service-account preparer at all (so it is never called)', () => {
    const oss = unleash({ edition: 'oss', defaults: { rootRole: 3 } });
    expect(oss.prepare.createServiceAccount).toBeUndefined();
    expect(Object.keys(oss.prepare)).toEqual(['createUser']);
    expect(Object.keys(unleash().prepare).sort()).toEqual(['createServiceAccount', 'createUser']);
  });

  it('no rootRole in the input or the defaults → invalid, naming unleash.rootRole', () => {
    const bare = unleash({});
    for (const result of [bare.prepare.createServiceAccount!(sa()), bare.prepare.createUser!(user())]) {
      expect(result).toEqual({ kind: 'invalid', problems: [{ field: 'unleash.rootRole', message: 'required by unleash (no default rootRole configured)' }] });
    }
  });

  it('a status other than ACTIVE is unsupported: Unleash has none at creation', () => {
    expect(unleash().prepare.createServiceAccount!(sa({ status: 'INACTIVE' }))).toEqual({
      kind: 'unsupported',
      message: 'Unleash service accounts have no status; cannot create one INACTIVE',
    });
    expect(unleash().prepare.createUser!(user({ status: 'INVITED' }))).toEqual({
      kind: 'unsupported',
      message: 'Unleash users have no status; cannot create one INVITED',
    });
  });

  it('natural keys: the username (default: the name) and the e-mail, lower-cased', () => {
    expect(readyCall(unleash().prepare.createServiceAccount!(sa())).naturalKey).toBe('deploy-bot');
    expect(readyCall(unleash().prepare.createServiceAccount!(sa({}, { username: 'CI-Bot' }))).naturalKey).toBe('ci-bot');
    expect(readyCall(unleash().prepare.createUser!(user({}, { username: 'pat' }))).naturalKey).toBe('pat@example.com');
  });
});

describe('unleash adapter: service accounts', () => {
  it('POSTs {username, name, rootRole} with the raw token; a "Viewer" default is sent as 3', async () => {
    server.answer({ status: 201, body: { id: 12, username: 'deploy-bot', name: 'Deploy bot', rootRole: 3, createdAt: '2026-11-23T12:00:00.000Z' } });
    const outcome = await readyCall(unleash().prepare.createServiceAccount!(sa({ displayName: 'Deploy bot', description: 'not sent' }))).send();

    expect(server.last.method).toBe('POST');
    expect(server.last.path).toBe('/api/admin/service-account');
    expect(server.last.headers.authorization).toBe('t');
    expect(server.last.json).toEqual({ username: 'deploy-bot', name: 'Deploy bot', rootRole: 3 });
    expect(outcome).toEqual({
      kind: 'created',
      httpStatus: 201,
      entity: { id: '12', name: 'deploy-bot', displayName: 'Deploy bot', status: 'ACTIVE', createdAt: '2026-11-23T12:00:00.000Z' },
      credentials: [],
    });
  });

  it.each([
    ['Admin', 1],
    ['Editor', 2],
    [2, 2],
  ])('a default rootRole %p is sent as %p; the input wins over it', async (configured, sent) => {
    server.answer({ status: 201, body: { id: 1 } });
    await readyCall(unleash({ defaults: { rootRole: configured } }).prepare.createServiceAccount!(sa())).send();
    expect((server.last.json as { rootRole: unknown }).rootRole).toBe(sent);
    await readyCall(unleash({ defaults: { rootRole: configured } }).prepare.createServiceAccount!(sa({}, { rootRole: 3, username: 'other' }))).send();
    expect(server.last.json).toEqual({ username: 'other', name: 'deploy-bot', rootRole: 3 });
  });

  it('a PAT per token with a secret (tokens[].secret), and the invite link', async () => {
    server.answer({
      status: 201,
      body: {
        id: 13,
        username: 'deploy-bot',
        name: 'deploy-bot',
        tokens: [
          { id: 5, secret: 'user:abc123', expiresAt: '2027-01-01T00:00:00.000Z', description: 'pat' },
          { id: 6, description: 'no secret: skipped' },
        ],
        inviteLink: 'https://unleash.example.com/new-user?token=xyz',
      },
    });
    const outcome = await readyCall(unleash().prepare.createServiceAccount!(sa())).send();
    expect(outcome.kind === 'created' && outcome.credentials).toEqual([
      { kind: 'PERSONAL_ACCESS_TOKEN', id: '5', secret: 'user:abc123', expiresAt: '2027-01-01T00:00:00.000Z' },
      { kind: 'INVITE_LINK', secret: 'https://unleash.example.com/new-user?token=xyz' },
    ]);
  });

  it('a 201 without a usable id still hands over its tokens (the only copy): a create with no id; a body describing nothing is INTERNAL', async () => {
    for (const id of [undefined, null, '', { n: 1 }]) {
      server.answer({ status: 201, body: { id, username: 'deploy-bot', tokens: [{ id: 3, secret: 'user:only-copy' }] } });
      const outcome = await readyCall(unleash().prepare.createServiceAccount!(sa())).send();
      expect(outcome).toMatchObject({
        kind: 'created',
        entity: { name: 'deploy-bot' },
        credentials: [{ kind: 'PERSONAL_ACCESS_TOKEN', id: '3', secret: 'user:only-copy' }],
      });
      expect(outcome.kind === 'created' && outcome.entity.id).toBeUndefined();
    }
    server.answer({ status: 201, body: { message: 'ok' } });
    expect(await readyCall(unleash().prepare.createServiceAccount!(sa())).send()).toMatchObject({
      kind: 'failed',
      failure: { code: 'INTERNAL', httpStatus: 201 },
    });
  });

  it("Unleash's error body under a 2xx is no create, though it carries an id; an invite link alone, or a single token object, still reaches the client", async () => {
    for (const body of [
      { id: '8b7c-err', name: 'BadDataError', message: 'Request validation failed', details: [{ message: 'User already exists' }] },
      { id: '7e1c-err', name: 'NotFoundError', message: 'gone' },
    ]) {
      server.answer({ status: 200, body });
      expect(await readyCall(unleash().prepare.createServiceAccount!(sa())).send()).toMatchObject({
        kind: 'failed',
        failure: { code: 'INTERNAL', httpStatus: 200 },
      });
      server.answer({ status: 200, body });
      expect(await readyCall(unleash().prepare.createUser!(user())).send()).toMatchObject({ kind: 'failed', failure: { code: 'INTERNAL', httpStatus: 200 } });
    }
    server.answer({ status: 201, body: { inviteLink: 'http://u/new-user?token=only-link' } });
    expect(await readyCall(unleash().prepare.createServiceAccount!(sa())).send()).toMatchObject({
      kind: 'created',
      credentials: [{ kind: 'INVITE_LINK', secret: 'http://u/new-user?token=only-link' }],
    });
    server.answer({ status: 201, body: { id: 9, username: 'deploy-bot', tokens: { id: 4, secret: 'user:single-object' } } });
    expect(await readyCall(unleash().prepare.createServiceAccount!(sa())).send()).toMatchObject({
      kind: 'created',
      credentials: [{ kind: 'PERSONAL_ACCESS_TOKEN', id: '4', secret: 'user:single-object' }],
    });
  });

  it('a 404 on the service-account API (open-source server) is UNSUPPORTED, in our words', async () => {
    server.answer({ status: 404, body: unleashError('NotFoundError', 'The path you were looking for (/api/admin/service-account) is not available.') });
    expect(await readyCall(unleash().prepare.createServiceAccount!(sa())).send()).toEqual({
      kind: 'failed',
      failure: {
        code: 'UNSUPPORTED',
        message: 'This Unleash server has no service-account API (it is an Enterprise feature)',
        httpStatus: 404,
        retryable: false,
      },
    });
  });

  it.each([
    ["a proxy's HTML page", { status: 404, headers: { 'content-type': 'text/html' }, body: '<html><body>404 Not Found</body></html>' }],
    ["JSON that is not Unleash's NotFoundError", { status: 404, body: { message: 'no such route' } }],
  ])("a 404 on the service-account API that is not Unleash's own (%s) is NOT_FOUND: the address is wrong, not the edition", async (_label, answer) => {
    server.answer(answer);
    expect(await readyCall(unleash().prepare.createServiceAccount!(sa())).send()).toMatchObject({
      kind: 'failed',
      failure: { code: 'NOT_FOUND', httpStatus: 404, retryable: false },
    });
  });

  it('an existing username is CONFLICT here too', async () => {
    server.answer({ status: 400, body: unleashError('BadDataError', 'User already exists') });
    expect(await readyCall(unleash().prepare.createServiceAccount!(sa())).send()).toMatchObject({
      failure: { code: 'CONFLICT', message: 'User already exists', httpStatus: 400, retryable: false },
    });
  });
});

describe('unleash adapter: users', () => {
  it('the body is exactly email, name, username, rootRole, sendEmail: never groups or status', async () => {
    server.answer({
      status: 201,
      body: { id: 21, email: 'pat@example.com', name: 'Pat', username: 'pat', rootRole: 2, createdAt: '2026-11-23T12:00:00.000Z' },
    });
    const outcome = await readyCall(
      unleash().prepare.createUser!(user({ name: 'Pat', groups: ['eng'] }, { username: 'pat', rootRole: 2, sendEmail: true })),
    ).send();
    expect(server.last.path).toBe('/api/admin/user-admin');
    expect(server.last.headers.authorization).toBe('t');
    expect(server.last.json).toEqual({ email: 'Pat@Example.com', name: 'Pat', username: 'pat', rootRole: 2, sendEmail: true });
    expect(outcome).toEqual({
      kind: 'created',
      httpStatus: 201,
      entity: { id: '21', email: 'pat@example.com', name: 'Pat', username: 'pat', status: 'ACTIVE', createdAt: '2026-11-23T12:00:00.000Z' },
      credentials: [],
    });
  });

  it('absent name and username are not sent; sendEmail defaults to false; a configured role name is sent as configured', async () => {
    server.answer({ status: 201, body: { id: 22 } });
    const outcome = await readyCall(unleash().prepare.createUser!(user())).send();
    expect(server.last.json).toEqual({ email: 'Pat@Example.com', rootRole: 'Viewer', sendEmail: false });
    expect(Object.keys(server.last.json as object).sort()).toEqual(['email', 'rootRole', 'sendEmail']);
    // Unleash omits fields it was not sent: the e-mail falls back to the input.
    expect(outcome).toEqual({ kind: 'created', httpStatus: 201, entity: { id: '22', email: 'Pat@Example.com', status: 'ACTIVE' }, credentials: [] });
  });

  it('a user answer without a usable id keeps its invite link', async () => {
    server.answer({ status: 201, body: { id: '', email: 'pat@example.com', inviteLink: 'http://u/new-user?token=only' } });
    const outcome = await readyCall(unleash().prepare.createUser!(user())).send();
    expect(outcome).toMatchObject({ kind: 'created', credentials: [{ kind: 'INVITE_LINK', secret: 'http://u/new-user?token=only' }] });
  });

  it('the invite link becomes an INVITE_LINK credential', async () => {
    server.answer({ status: 201, body: { id: 23, email: 'pat@example.com', inviteLink: 'http://u/new-user?token=abc' } });
    const outcome = await readyCall(unleash().prepare.createUser!(user())).send();
    expect(outcome.kind === 'created' && outcome.credentials).toEqual([{ kind: 'INVITE_LINK', secret: 'http://u/new-user?token=abc' }]);
  });

  it('400 "User already exists" in details[].message → CONFLICT', async () => {
    server.answer({ status: 400, body: unleashError('BadDataError', 'User already exists') });
    expect(await readyCall(unleash().prepare.createUser!(user())).send()).toEqual({
      kind: 'failed',
      failure: { code: 'CONFLICT', message: 'User already exists', httpStatus: 400, retryable: false },
    });
  });

  it('500 duplicate key on users_username_key → CONFLICT with our own message, no SQL', async () => {
    const sql =
      'insert into "users" ("email", "name", "username") values ($1, $2, $3) returning * - duplicate key value violates unique constraint "users_username_key"';
    server.answer({ status: 500, body: { name: 'UnknownError', message: sql } });
    const outcome = await readyCall(unleash().prepare.createUser!(user({}, { username: 'pat' }))).send();
    expect(outcome).toEqual({
      kind: 'failed',
      failure: { code: 'CONFLICT', message: 'A user with this username already exists', httpStatus: 500, retryable: false },
    });
    expect(JSON.stringify(outcome)).not.toMatch(/insert|users_username_key|\$1/);
  });

  it('any other 500 stays UNAVAILABLE without its body', async () => {
    server.answer({ status: 500, body: { name: 'UnknownError', message: 'value too long for type character varying(255)' } });
    expect(await readyCall(unleash().prepare.createUser!(user())).send()).toEqual({
      kind: 'failed',
      failure: { code: 'UNAVAILABLE', message: 'unleash answered HTTP 500', httpStatus: 500, retryable: true },
    });
  });

  it('other 400s carry details[].message joined, or message when there are no details', async () => {
    server.answer({ status: 400, body: unleashError('ValidationError', 'first problem', 'second problem') });
    expect(await readyCall(unleash().prepare.createUser!(user())).send()).toMatchObject({
      failure: { code: 'BAD_REQUEST', message: 'first problem; second problem' },
    });
    server.answer({ status: 403, body: { message: 'You need permission ADMIN' } });
    expect(await readyCall(unleash().prepare.createUser!(user())).send()).toMatchObject({
      failure: { code: 'FORBIDDEN', message: 'You need permission ADMIN' },
    });
  });

  it('a 404 on the user API is NOT_FOUND: only the service-account API means "not Enterprise"', async () => {
    server.answer({ status: 404, body: unleashError('NotFoundError', 'gone') });
    expect(await readyCall(unleash().prepare.createUser!(user())).send()).toMatchObject({ failure: { code: 'NOT_FOUND', httpStatus: 404 } });
  });
});
