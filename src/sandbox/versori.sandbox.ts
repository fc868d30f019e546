import {
  isObject,
  isStringArray,
  SandboxServer,
  secretToken,
  ulid,
  unknownFields,
  type Route,
  type SandboxRequest,
  type SandboxResponse,
} from './sandbox.http';

const NAME = /^[a-z][a-z0-9-_.]*$/;

/**
 * Versori Organisations API (`/api/organisations/v1`): `Authorization: JWT`;
 * errors `{code, message, cause}`; name unique per organisation; the client
 * secret is in the 201 only.
 */
export class VersoriSandbox extends SandboxServer {
  readonly kind = 'versori';
  readonly basePath = '/api/organisations/v1';
  private readonly accounts = new Map<string, Record<string, unknown>>();

  constructor(
    private readonly token: string,
    private readonly organisations: readonly string[] = ['org-sandbox'],
  ) {
    super();
  }

  protected readonly routes: readonly Route[] = [
    {
      method: 'POST',
      pattern: /^\/organisations\/([^/]+)\/service-accounts$/,
      name: 'POST /organisations/{organisation_id}/service-accounts',
      handle: (r, p) => this.create(r, p[0]),
    },
  ];

  protected clearData(): void {
    this.accounts.clear();
  }

  private create(req: SandboxRequest, org: string): SandboxResponse {
    if (req.headers.authorization !== `JWT ${this.token}`) return err(401, 'unauthenticated', 'missing or invalid JWT');
    if (!this.organisations.includes(org)) return err(404, 'not_found', `organisation ${org} not found`);
    if (!req.bodyIsJson || !isObject(req.body)) return err(400, 'invalid_argument', 'request body must be a JSON object');
    const b = req.body;
    const extra = unknownFields(b, ['name', 'roles', 'groupIDs']);
    if (extra.length) return err(400, 'invalid_argument', `unknown fields: ${extra.join(', ')}`);
    if (typeof b.name !== 'string' || !NAME.test(b.name)) return err(400, 'invalid_argument', 'name must match ^[a-z][a-z0-9-_.]*$');
    if (b.roles !== undefined && !isStringArray(b.roles)) return err(400, 'invalid_argument', 'roles must be an array of strings');
    if (b.groupIDs !== undefined && !isStringArray(b.groupIDs)) return err(400, 'invalid_argument', 'groupIDs must be an array of strings');
    const key = `${org}/${b.name}`;
    if (this.accounts.has(key)) return err(409, 'already_exists', `service account ${b.name} already exists`);
    const account = {
      id: ulid(),
      name: b.name,
      email: `${b.name}@sa.${org}.versori.com`,
      clientId: secretToken(12),
      roleBindings: ((b.roles as string[] | undefined) ?? []).map((role) => ({
        role: { id: ulid(), name: role, permissions: [], scopes: ['organisation'] },
        resource: { resourceType: 'organisation', resourceId: org, name: org },
      })),
    };
    this.accounts.set(key, account);
    return { status: 201, body: { ...account, clientSecret: secretToken(32) } };
  }
}

function err(status: number, code: string, message: string): SandboxResponse {
  return { status, body: { code, message, cause: '' } };
}
