import { isObject, isStringArray, randomUUID, SandboxServer, unknownFields, type Route, type SandboxRequest, type SandboxResponse } from './sandbox.http';

/** The generic organisation API: Bearer token; every answer is an envelope `{code, data, message, requestId}`; success is 200. */
export class GenericSandbox extends SandboxServer {
  readonly kind = 'generic';
  readonly basePath = '';
  readonly organizationId = randomUUID();
  private readonly accounts = new Map<string, Record<string, unknown>>();

  constructor(private readonly token: string) {
    super();
  }

  protected readonly routes: readonly Route[] = [
    { method: 'POST', pattern: /^\/v1\/service-accounts$/, name: 'POST /v1/service-accounts', handle: (r) => this.create(r) },
  ];

  protected clearData(): void {
    this.accounts.clear();
  }

  private create(req: SandboxRequest): SandboxResponse {
    if (req.headers.authorization !== `Bearer ${this.token}`) return envelope(401, null, 'unauthorized');
    if (!req.bodyIsJson || !isObject(req.body)) return envelope(400, null, 'invalid request body');
    const b = req.body;
    const extra = unknownFields(b, ['name', 'description', 'permissions']);
    if (extra.length) return envelope(400, null, `unknown fields: ${extra.join(', ')}`);
    if (typeof b.name !== 'string' || !b.name) return envelope(400, null, 'name is required');
    if (!isStringArray(b.permissions) || b.permissions.length === 0) return envelope(400, null, 'permissions is required');
    if (b.description !== undefined && typeof b.description !== 'string') return envelope(400, null, 'description must be a string');
    if (this.accounts.has(b.name)) return envelope(409, null, 'service account already exists');
    const now = new Date().toISOString();
    const data = {
      id: randomUUID(),
      name: b.name,
      description: b.description ?? '',
      organizationId: this.organizationId,
      permissions: b.permissions,
      status: 'active',
      createdAt: now,
      createdBy: 'api-token',
      updatedAt: now,
    };
    this.accounts.set(b.name, data);
    return envelope(200, data, 'success');
  }
}

function envelope(code: number, data: unknown, message: string): SandboxResponse {
  return { status: code, body: { code, data, message, requestId: `req_${randomUUID().slice(0, 8)}` } };
}
