import { isObject, isStringArray, randomUUID, SandboxServer, unknownFields, type Route, type SandboxRequest, type SandboxResponse } from './sandbox.http';

const SA_FIELDS = ['id', 'org_id', 'subject', 'name', 'status', 'groups'];
const USER_FIELDS = ['id', 'email', 'name', 'password', 'picture', 'role', 'slack_id', 'status', 'groups', 'verified'];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * hoop.dev (`/api`): Bearer token or Api-Key; errors are `{"message"}`;
 * subject globally unique (409); user e-mail unique per org (409); invalid
 * status or e-mail 422; the 201 user echoes the password.
 */
export class HoopSandbox extends SandboxServer {
  readonly kind = 'hoop';
  readonly basePath = '/api';
  readonly orgId = randomUUID();
  private readonly serviceAccounts = new Map<string, Record<string, unknown>>();
  private readonly users = new Map<string, Record<string, unknown>>();

  constructor(private readonly token: string) {
    super();
  }

  protected readonly routes: readonly Route[] = [
    { method: 'POST', pattern: /^\/serviceaccounts$/, name: 'POST /serviceaccounts', handle: (r) => this.guard(r, () => this.createServiceAccount(r)) },
    { method: 'POST', pattern: /^\/users$/, name: 'POST /users', handle: (r) => this.guard(r, () => this.createUser(r)) },
  ];

  protected clearData(): void {
    this.serviceAccounts.clear();
    this.users.clear();
  }

  private guard(req: SandboxRequest, next: () => SandboxResponse): SandboxResponse {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer !== this.token && req.headers['api-key'] !== this.token) return { status: 401, body: { message: 'unauthorized' } };
    if (!req.bodyIsJson || !isObject(req.body)) return { status: 400, body: { message: 'unable to parse request body' } };
    return next();
  }

  private createServiceAccount(req: SandboxRequest): SandboxResponse {
    const b = req.body as Record<string, unknown>;
    // Real hoop ignores unknown fields; the sandbox is stricter to catch a gateway that sends them.
    const extra = unknownFields(
      b,
      SA_FIELDS.filter((f) => f !== 'id' && f !== 'org_id'),
    );
    if (extra.length) return { status: 400, body: { message: `unknown fields: ${extra.join(', ')}` } };
    if (typeof b.subject !== 'string' || !b.subject || b.status === undefined)
      return { status: 400, body: { message: 'missing required attributes: subject, status' } };
    if (b.status !== 'active' && b.status !== 'inactive') return { status: 422, body: { message: 'status must be active or inactive' } };
    if (b.name !== undefined && typeof b.name !== 'string') return { status: 400, body: { message: 'name must be a string' } };
    if (b.groups !== undefined && !isStringArray(b.groups)) return { status: 400, body: { message: 'groups must be an array of strings' } };
    if (this.serviceAccounts.has(b.subject)) return { status: 409, body: { message: 'resource already exists' } };
    const sa = { id: randomUUID(), org_id: this.orgId, subject: b.subject, name: b.name ?? '', status: b.status, groups: b.groups ?? [] };
    this.serviceAccounts.set(b.subject, sa);
    return { status: 201, body: sa };
  }

  private createUser(req: SandboxRequest): SandboxResponse {
    const b = req.body as Record<string, unknown>;
    const extra = unknownFields(
      b,
      USER_FIELDS.filter((f) => !['id', 'role', 'verified'].includes(f)),
    );
    if (extra.length) return { status: 400, body: { message: `unknown fields: ${extra.join(', ')}` } };
    if (typeof b.email !== 'string' || !EMAIL.test(b.email)) return { status: 422, body: { message: 'invalid email' } };
    const status = b.status ?? 'active';
    if (!['active', 'inactive', 'invited'].includes(status as string)) return { status: 422, body: { message: 'invalid status' } };
    for (const f of ['name', 'password', 'picture', 'slack_id']) {
      if (b[f] !== undefined && typeof b[f] !== 'string') return { status: 400, body: { message: `${f} must be a string` } };
    }
    if (b.groups !== undefined && !isStringArray(b.groups)) return { status: 400, body: { message: 'groups must be an array of strings' } };
    const key = b.email.toLowerCase();
    if (this.users.has(key)) return { status: 409, body: { message: 'user already exists' } };
    const user = {
      id: randomUUID(),
      email: b.email,
      name: b.name ?? '',
      status,
      groups: b.groups ?? [],
      slack_id: b.slack_id ?? '',
      picture: b.picture ?? '',
      role: 'standard',
      verified: false,
      ...(b.password !== undefined ? { password: b.password } : {}),
    };
    this.users.set(key, user);
    return { status: 201, body: user };
  }
}
