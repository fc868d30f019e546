import type { ProviderAdapter, ServiceAccountSpec, UserSpec } from '../../src/domain';
import { hoopModule } from '../../src/providers/hoop/hoop.module';
import { readyCall } from '../helpers/prepared';
import { adapterTestbed } from '../helpers/adapter.testbed';

const bed = adapterTestbed(hoopModule);
const server = bed.server;

function hoop(defaults: Record<string, unknown> = {}, baseUrl = `${server.url}/api`): ProviderAdapter {
  return bed.adapter({ id: 'hoop-prod', baseUrl, tokenEnv: 'HOOP_TOKEN', defaults });
}

const sa = (extra: Partial<ServiceAccountSpec> = {}, options: Record<string, unknown> = {}): ServiceAccountSpec => ({
  name: 'deploy-bot',
  status: 'ACTIVE',
  ...extra,
  options: { hoop: options },
});

const user = (extra: Partial<UserSpec> = {}, options: Record<string, unknown> = {}): UserSpec => ({
  email: 'Pat@Example.com',
  status: 'ACTIVE',
  ...extra,
  options: { hoop: options },
});

describe('hoop adapter: service accounts', () => {
  it('offers both operations', () => {
    expect(Object.keys(hoop().prepare).sort()).toEqual(['createServiceAccount', 'createUser']);
  });

  it('the natural key is the subject (default: the name), in its own letter case', () => {
    expect(readyCall(hoop().prepare.createServiceAccount!(sa())).naturalKey).toBe('deploy-bot');
    expect(readyCall(hoop().prepare.createServiceAccount!(sa({}, { subject: 'OIDC-Client-42' }))).naturalKey).toBe('OIDC-Client-42');
  });

  it('INACTIVE is a status hoop has: prepared, not unsupported', () => {
    expect(hoop().prepare.createServiceAccount!(sa({ status: 'INACTIVE' })).kind).toBe('ready');
  });

  it('POSTs {subject, name, status, groups} under the /api base path with a Bearer token', async () => {
    server.answer({ status: 201, body: { id: '6f1c-uuid', org_id: 'org-1', subject: 'OIDC-Client', name: 'Deploy bot', status: 'inactive', groups: ['eng'] } });
    const call = readyCall(
      hoop().prepare.createServiceAccount!(sa({ displayName: 'Deploy bot', status: 'INACTIVE' }, { subject: 'OIDC-Client', groups: ['eng'] })),
    );
    const outcome = await call.send();

    const req = server.last;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/api/serviceaccounts');
    expect(req.headers.authorization).toBe('Bearer t');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers.accept).toBe('application/json');
    expect(req.json).toEqual({ subject: 'OIDC-Client', name: 'Deploy bot', status: 'inactive', groups: ['eng'] });

    expect(outcome).toEqual({
      kind: 'created',
      httpStatus: 201,
      entity: { id: '6f1c-uuid', name: 'OIDC-Client', displayName: 'Deploy bot', status: 'INACTIVE' },
      credentials: [],
    });
  });

  it('defaults: subject and display name from the name, groups from the config; none configured → no groups field', async () => {
    server.answer({ status: 201, body: { id: 'x1', subject: 'deploy-bot', name: 'deploy-bot', status: 'active' } });
    await readyCall(hoop({ groups: ['engineering'] }).prepare.createServiceAccount!(sa())).send();
    expect(server.last.json).toEqual({ subject: 'deploy-bot', name: 'deploy-bot', status: 'active', groups: ['engineering'] });

    await readyCall(hoop().prepare.createServiceAccount!(sa())).send();
    expect(server.last.json).toEqual({ subject: 'deploy-bot', name: 'deploy-bot', status: 'active' });
    expect(server.last.body).not.toContain('groups');
  });

  it('a base URL with a trailing slash still keeps /api', async () => {
    server.answer({ status: 201, body: { id: 'x2' } });
    const outcome = await readyCall(hoop({}, `${server.url}/api/`).prepare.createServiceAccount!(sa())).send();
    expect(server.last.path).toBe('/api/serviceaccounts');
    // The subject falls back to what was sent when the answer omits it.
    expect(outcome).toEqual({ kind: 'created', httpStatus: 201, entity: { id: 'x2', name: 'deploy-bot' }, credentials: [] });
  });

  it("a duplicate subject is 409 {message} → CONFLICT with hoop's message", async () => {
    server.answer({ status: 409, body: { message: 'resource already exists' } });
    expect(await readyCall(hoop().prepare.createServiceAccount!(sa())).send()).toEqual({
      kind: 'failed',
      failure: { code: 'CONFLICT', message: 'resource already exists', httpStatus: 409, retryable: false },
    });
  });

  it('a 201 without a usable id (absent, blank, not a scalar) is a create with no id; one without the fields it describes is INTERNAL, not retryable', async () => {
    server.answer({ status: 201, body: { subject: 'deploy-bot', status: 'active' } });
    const made = await readyCall(hoop().prepare.createServiceAccount!(sa())).send();
    expect(made).toMatchObject({ kind: 'created', entity: { name: 'deploy-bot', status: 'ACTIVE' } });
    expect(made.kind === 'created' && made.entity.id).toBeUndefined();
    // An id that is no id (empty, blank, an object, a boolean) is read as no id: the answer still describes the account.
    for (const id of ['', '   ', { nested: 1 }, false, []]) {
      server.answer({ status: 201, body: { id, subject: 'deploy-bot' } });
      const odd = await readyCall(hoop().prepare.createServiceAccount!(sa())).send();
      expect(odd).toMatchObject({ kind: 'created', entity: { name: 'deploy-bot' } });
      expect(odd.kind === 'created' && odd.entity.id).toBeUndefined();
    }
    // An error body under a 2xx (a message and no subject, a status hoop does not have) is no create either.
    for (const body of [
      { unrelated: true },
      { id: '', unrelated: true },
      { status: 'error', message: 'quota exceeded' },
      { status: 500, message: 'db down' },
      { status: 'error' },
    ]) {
      server.answer({ status: 201, body });
      expect(await readyCall(hoop().prepare.createServiceAccount!(sa())).send()).toMatchObject({
        kind: 'failed',
        failure: { code: 'INTERNAL', httpStatus: 201, retryable: false },
      });
    }
  });
});

describe('hoop adapter: users', () => {
  it('the natural key is the e-mail lower-cased; INVITED is a status hoop has', () => {
    expect(readyCall(hoop().prepare.createUser!(user({ status: 'INVITED' }))).naturalKey).toBe('pat@example.com');
  });

  it("POSTs every field it was given, with hoop's snake_case names", async () => {
    server.answer({ status: 201, body: { id: 'u1', email: 'Pat@Example.com', name: 'Pat', status: 'invited' } });
    await readyCall(
      hoop({ groups: ['default'] }).prepare.createUser!(
        user({ name: 'Pat', status: 'INVITED', groups: ['sre'] }, { slackId: 'U123', picture: 'https://img/p.png', password: 'pw 1' }),
      ),
    ).send();
    expect(server.last.path).toBe('/api/users');
    expect(server.last.headers.authorization).toBe('Bearer t');
    expect(server.last.json).toEqual({
      email: 'Pat@Example.com',
      name: 'Pat',
      status: 'invited',
      groups: ['sre'],
      slack_id: 'U123',
      picture: 'https://img/p.png',
      password: 'pw 1',
    });
  });

  it('fields not given are absent (not null); groups fall back to the config', async () => {
    server.answer({ status: 201, body: { id: 'u2' } });
    await readyCall(hoop({ groups: ['default'] }).prepare.createUser!(user())).send();
    expect(server.last.json).toEqual({ email: 'Pat@Example.com', status: 'active', groups: ['default'] });
  });

  it('the password hoop echoes never reaches the outcome', async () => {
    server.answer({
      status: 201,
      body: { id: 'u3', email: 'pat@example.com', name: 'Pat', status: 'active', password: 'echoed-secret-pw', role: 'standard', verified: false },
    });
    const outcome = await readyCall(hoop().prepare.createUser!(user({}, { password: 'echoed-secret-pw' }))).send();
    expect(outcome).toEqual({
      kind: 'created',
      httpStatus: 201,
      entity: { id: 'u3', email: 'pat@example.com', name: 'Pat', status: 'ACTIVE' },
      credentials: [],
    });
    expect(JSON.stringify(outcome)).not.toContain('echoed-secret-pw');
  });

  it('the e-mail falls back to the input when the answer omits it', async () => {
    server.answer({ status: 201, body: { id: 7 } });
    expect(await readyCall(hoop().prepare.createUser!(user())).send()).toEqual({
      kind: 'created',
      httpStatus: 201,
      entity: { id: '7', email: 'Pat@Example.com' },
      credentials: [],
    });
  });

  it('a 422 message is forwarded, a 500 message is not', async () => {
    server.answer({ status: 422, body: { message: 'invalid email' } });
    expect(await readyCall(hoop().prepare.createUser!(user())).send()).toMatchObject({
      failure: { code: 'BAD_REQUEST', message: 'invalid email', httpStatus: 422 },
    });
    server.answer({ status: 500, body: { message: 'pq: relation "users" does not exist' } });
    expect(await readyCall(hoop().prepare.createUser!(user())).send()).toEqual({
      kind: 'failed',
      failure: { code: 'UNAVAILABLE', message: 'hoop-prod answered HTTP 500', httpStatus: 500, retryable: true },
    });
  });
});
