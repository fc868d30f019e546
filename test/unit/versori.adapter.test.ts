import type { ProviderAdapter, ServiceAccountSpec } from '../../src/domain';
import { versoriModule } from '../../src/providers/versori/versori.module';
import { readyCall } from '../helpers/prepared';
import { adapterTestbed } from '../helpers/adapter.testbed';

const bed = adapterTestbed(versoriModule);
const server = bed.server;

function versori(defaults: Record<string, unknown> = { organisationId: 'org_123' }): ProviderAdapter {
  return bed.adapter({ id: 'versori', baseUrl: `${server.url}/api/organisations/v1`, tokenEnv: 'VERSORI_JWT', defaults });
}

const sa = (extra: Partial<ServiceAccountSpec> = {}, options?: Record<string, unknown>): ServiceAccountSpec => ({
  name: 'deploy-bot',
  status: 'ACTIVE',
  ...extra,
  options: options ? { versori: options } : {},
});

describe('versori adapter: preparing', () => {
  it('service accounts only', () => {
    expect(Object.keys(versori().prepare)).toEqual(['createServiceAccount']);
    expect(versori().prepare.createUser).toBeUndefined();
  });

  it('no organisationId in the input or the defaults → invalid, naming versori.organisationId', () => {
    expect(versori({}).prepare.createServiceAccount!(sa())).toEqual({
      kind: 'invalid',
      problems: [{ field: 'versori.organisationId', message: 'required by versori (no default organisationId configured)' }],
    });
  });

  it.each(['org/../admin', '-org', 'org 1', 'org?x=1', 'o'.repeat(129), 'é'])('organisationId %p is refused before it reaches a URL', (organisationId) => {
    expect(versori().prepare.createServiceAccount!(sa({}, { organisationId }))).toEqual({
      kind: 'invalid',
      problems: [{ field: 'versori.organisationId', message: 'must be letters, digits, _ or - (at most 128)' }],
    });
  });

  it.each(['org/1', 'org.with.dots'])('a configured default %p is refused when the config is read, not blamed on each client later', (organisationId) => {
    expect(() => versori({ organisationId })).toThrow(/"organisationId"[\s\S]*must be letters, digits, _ or - \(at most 128\)/);
  });

  it.each(['org_123', 'A', `a${'-'.repeat(127)}`, 'Org-9_x'])('organisationId %p is accepted', (organisationId) => {
    expect(versori().prepare.createServiceAccount!(sa({}, { organisationId })).kind).toBe('ready');
  });

  it('INACTIVE is unsupported: Versori has no status at creation', () => {
    expect(versori().prepare.createServiceAccount!(sa({ status: 'INACTIVE' }))).toEqual({
      kind: 'unsupported',
      message: 'Versori service accounts have no status; cannot create one INACTIVE',
    });
  });

  it('the natural key is organisation/name; the input organisation wins over the default', () => {
    expect(readyCall(versori().prepare.createServiceAccount!(sa())).naturalKey).toBe('org_123/deploy-bot');
    expect(readyCall(versori().prepare.createServiceAccount!(sa({}, { organisationId: 'org_9' }))).naturalKey).toBe('org_9/deploy-bot');
  });
});

describe('versori adapter: the call', () => {
  it('POSTs {name, roles, groupIDs} under the base path and organisation, with a JWT token', async () => {
    server.answer({
      status: 201,
      body: {
        id: '01JABCDEF',
        name: 'deploy-bot',
        email: 'deploy-bot@sa.acme.versori.com',
        clientId: 'client-42',
        clientSecret: 'shh-once',
        roleBindings: [{ role: 'admin' }],
      },
    });
    const outcome = await readyCall(
      versori({ organisationId: 'org_123', roles: ['viewer'] }).prepare.createServiceAccount!(
        sa({ displayName: 'not sent', description: 'not sent' }, { organisationId: 'org_9', roles: ['admin'], groupIds: ['g1'] }),
      ),
    ).send();

    expect(server.last.method).toBe('POST');
    expect(server.last.path).toBe('/api/organisations/v1/organisations/org_9/service-accounts');
    expect(server.last.headers.authorization).toBe('JWT t');
    expect(server.last.json).toEqual({ name: 'deploy-bot', roles: ['admin'], groupIDs: ['g1'] });
    expect(outcome).toEqual({
      kind: 'created',
      httpStatus: 201,
      entity: { id: '01JABCDEF', name: 'deploy-bot', email: 'deploy-bot@sa.acme.versori.com', status: 'ACTIVE' },
      credentials: [{ kind: 'CLIENT_SECRET', clientId: 'client-42', secret: 'shh-once' }],
    });
  });

  it('roles default from the config; absent groupIds and roles are not sent', async () => {
    server.answer({ status: 201, body: { id: '01A' } });
    await readyCall(versori({ organisationId: 'org_123', roles: ['viewer'] }).prepare.createServiceAccount!(sa())).send();
    expect(server.last.json).toEqual({ name: 'deploy-bot', roles: ['viewer'] });
    await readyCall(versori().prepare.createServiceAccount!(sa())).send();
    expect(server.last.json).toEqual({ name: 'deploy-bot' });
  });

  it('no clientSecret in the 201 → INTERNAL, not retryable, naming the account that exists without one', async () => {
    server.answer({ status: 201, body: { id: '01B', clientId: 'client-only' } });
    expect(await readyCall(versori().prepare.createServiceAccount!(sa())).send()).toEqual({
      kind: 'failed',
      failure: {
        code: 'INTERNAL',
        message: 'versori created service account 01B but its answer carried no clientSecret (shown only once): issue a new secret for it on Versori',
        httpStatus: 201,
        retryable: false,
      },
    });
  });

  it('an id that is no id (empty, an object, false) does not cost the client its secret: a create with no id', async () => {
    for (const id of ['', { v: '01X' }, false, []]) {
      server.answer({ status: 201, body: { id, name: 'deploy-bot', clientId: 'c', clientSecret: 'only-copy-s3cr3t' } });
      expect(await readyCall(versori().prepare.createServiceAccount!(sa())).send()).toEqual({
        kind: 'created',
        httpStatus: 201,
        entity: { name: 'deploy-bot', status: 'ACTIVE' },
        credentials: [{ kind: 'CLIENT_SECRET', clientId: 'c', secret: 'only-copy-s3cr3t' }],
      });
    }
  });

  it("Versori's error body under a 2xx ({code, message}, even with a name) is unreadable, not an account named after the error", async () => {
    server.answer({ status: 201, body: { code: 'internal', message: 'oops', name: 'InternalError' } });
    const outcome = await readyCall(versori().prepare.createServiceAccount!(sa())).send();
    expect(outcome).toMatchObject({ kind: 'failed', failure: { code: 'INTERNAL', httpStatus: 201 } });
    expect(JSON.stringify(outcome)).not.toContain('InternalError');
  });

  it('a success without a clientSecret carries the status the provider answered with, whatever 2xx it was', async () => {
    server.answer({ status: 202, body: { id: '01Z', clientId: 'c' } });
    expect(await readyCall(versori().prepare.createServiceAccount!(sa())).send()).toMatchObject({
      kind: 'failed',
      failure: { code: 'INTERNAL', httpStatus: 202 },
    });
    server.answer({ status: 200, body: { id: '01Z', clientId: 'c', clientSecret: '' } });
    expect(await readyCall(versori().prepare.createServiceAccount!(sa())).send()).toMatchObject({
      kind: 'failed',
      failure: { code: 'INTERNAL', httpStatus: 200 },
    });
  });

  it('the name falls back to the input when the 201 leaves it out', async () => {
    server.answer({ status: 201, body: { id: '01C', clientId: 'c', clientSecret: 's3cr3t' } });
    expect(await readyCall(versori().prepare.createServiceAccount!(sa())).send()).toEqual({
      kind: 'created',
      httpStatus: 201,
      entity: { id: '01C', name: 'deploy-bot', status: 'ACTIVE' },
      credentials: [{ kind: 'CLIENT_SECRET', clientId: 'c', secret: 's3cr3t' }],
    });
  });

  it("an error's message reaches the client, its cause never does", async () => {
    server.answer({ status: 409, body: { code: 'conflict', message: 'service account already exists', cause: 'pgx: duplicate key sa_org_name_idx' } });
    const outcome = await readyCall(versori().prepare.createServiceAccount!(sa())).send();
    expect(outcome).toEqual({
      kind: 'failed',
      failure: { code: 'CONFLICT', message: 'service account already exists', httpStatus: 409, retryable: false },
    });
    expect(JSON.stringify(outcome)).not.toContain('pgx');
  });
});
