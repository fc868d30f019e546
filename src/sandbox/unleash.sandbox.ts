import { isObject, SandboxServer, secretToken, unknownFields, type Route, type SandboxRequest, type SandboxResponse } from './sandbox.http';

const ROLES: Record<number, string> = { 1: 'Admin', 2: 'Editor', 3: 'Viewer' };
const ROLE_NAMES = ['Admin', 'Editor', 'Viewer'];
const USER_FIELDS = ['email', 'username', 'name', 'rootRole', 'sendEmail'];
const SA_FIELDS = ['username', 'name', 'rootRole'];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface UnleashSandboxOptions {
  readonly adminToken: string;
  /** A client (SDK) token: valid, but 403 on admin APIs. */
  readonly clientToken?: string;
  /** 'oss' answers the service-account API with 404, as the open-source server does. */
  readonly edition?: 'enterprise' | 'oss';
  /** Per client IP per minute on user creation; failed creates count. Real default: 20. */
  readonly createUserRateLimitPerMinute?: number;
}

/**
 * Unleash, as an 8.2.0 server behaves (docs/providers.md): raw or Bearer token;
 * 415 on non-JSON; HTML 400 on malformed JSON; unknown user fields 400;
 * duplicate e-mail 400 "User already exists"; duplicate username with an
 * e-mail 500 with SQL; name over 255 a 500 with SQL; HTML 429 rate limit.
 */
export class UnleashSandbox extends SandboxServer {
  readonly kind = 'unleash';
  readonly basePath = '';
  private nextUserId = 1;
  private nextPatId = 1;
  private readonly users: Array<Record<string, unknown>> = [];
  private readonly rate = new Map<string, number[]>();

  constructor(private readonly options: UnleashSandboxOptions) {
    super();
  }

  protected readonly routes: readonly Route[] = [
    {
      method: 'POST',
      pattern: /^\/api\/admin\/service-account$/,
      name: 'POST /api/admin/service-account',
      handle: (r) => this.guard(r, () => this.createServiceAccount(r)),
    },
    { method: 'POST', pattern: /^\/api\/admin\/user-admin$/, name: 'POST /api/admin/user-admin', handle: (r) => this.guard(r, () => this.createUser(r), true) },
    { method: 'GET', pattern: /^\/api\/admin\/user-admin$/, name: 'GET /api/admin/user-admin', handle: (r) => this.guard(r, () => this.listUsers()) },
  ];

  protected clearData(): void {
    this.users.length = 0;
    this.rate.clear();
  }

  private guard(req: SandboxRequest, next: () => SandboxResponse, rateLimited = false): SandboxResponse {
    const auth = req.headers.authorization;
    if (!auth)
      return {
        status: 401,
        body: {
          name: 'AuthenticationRequired',
          message:
            'You must log in to use Unleash. Your request had no authorization header, so we could not authorize you. Try logging in at /auth/simple/login.',
        },
      };
    const token = auth.replace(/^Bearer\s+/i, '');
    if (this.options.clientToken && token === this.options.clientToken) return { status: 403, body: { message: 'You cannot use a client token for this API' } };
    if (token !== this.options.adminToken) return { status: 401, body: { id: secretToken(8), name: 'UnauthorizedError', message: 'Unauthorized' } };
    if (rateLimited) {
      const limited = this.rateLimit(req.clientIp);
      if (limited) return limited;
    }
    if (req.method === 'GET') return next();
    if (!/application\/json/i.test(req.headers['content-type'] ?? '')) {
      return {
        status: 415,
        body: {
          id: secretToken(8),
          name: 'ContentTypeError',
          message:
            'We do not accept the content-type you provided. Try using one of the content-types we do accept instead (application/json) and make sure the body is in the corresponding format.',
        },
      };
    }
    if (req.rawBody.length && !req.bodyIsJson) {
      return {
        status: 400,
        text: `<!DOCTYPE html><html><body><pre>SyntaxError: Unexpected token in JSON at position 1<br> &nbsp; &nbsp;at JSON.parse (&lt;anonymous&gt;)<br> &nbsp; &nbsp;at parse (/unleash/node_modules/body-parser/lib/types/json.js:92:19)</pre></body></html>`,
      };
    }
    if (!isObject(req.body)) return badData('body must be an object');
    return next();
  }

  private rateLimit(ip: string): SandboxResponse | undefined {
    const limit = this.options.createUserRateLimitPerMinute ?? 20;
    const now = Date.now();
    const hits = (this.rate.get(ip) ?? []).filter((t) => t > now - 60_000);
    hits.push(now);
    this.rate.set(ip, hits);
    const reset = Math.ceil((hits[0] + 60_000 - now) / 1000);
    if (hits.length > limit) {
      return {
        status: 429,
        text: 'Too many requests, please try again later.',
        headers: {
          'retry-after': String(reset),
          'ratelimit-limit': String(limit),
          'ratelimit-remaining': '0',
          'ratelimit-reset': String(reset),
          'content-type': 'text/html; charset=utf-8',
        },
      };
    }
    return undefined;
  }

  private createServiceAccount(req: SandboxRequest): SandboxResponse {
    if (this.options.edition === 'oss') {
      const message = 'The path you were looking for (/api/admin/service-account) is not available.';
      return { status: 404, body: { id: secretToken(8), name: 'NotFoundError', message, details: [{ message }] } };
    }
    const b = req.body as Record<string, unknown>;
    const extra = unknownFields(b, SA_FIELDS);
    if (extra.length) return badData(`must NOT have additional properties (${extra.join(', ')})`);
    if (typeof b.username !== 'string' || typeof b.name !== 'string' || b.rootRole === undefined)
      return badData('must have required properties username, name, rootRole');
    if (!Number.isInteger(b.rootRole)) return badData('rootRole must be integer');
    if (!ROLES[b.rootRole as number]) return badData(`Could not find rootRole=${b.rootRole}`);
    if (this.users.some((u) => u.username === b.username))
      return { status: 409, body: { id: secretToken(8), name: 'NameExistsError', message: 'A service account with that username already exists' } };
    const id = this.nextUserId++;
    const createdAt = new Date().toISOString();
    const sa = { id, username: b.username, name: b.name, rootRole: b.rootRole, isAPI: true, isService: true, createdAt, imageUrl: '', seenAt: null };
    this.users.push(sa);
    const pat = {
      id: this.nextPatId++,
      secret: `user:${secretToken(32)}`,
      createdAt,
      seenAt: null,
      userId: id,
      description: 'initial token',
      expiresAt: new Date(Date.now() + 365 * 86_400_000).toISOString(),
    };
    return { status: 201, body: { ...sa, tokens: [pat] } };
  }

  private createUser(req: SandboxRequest): SandboxResponse {
    const b = req.body as Record<string, unknown>;
    const extra = unknownFields(b, USER_FIELDS);
    if (extra.length) return badData(`must NOT have additional properties (${extra.join(', ')})`);
    if (b.email === undefined && b.username === undefined) return badData('You must specify username or email');
    for (const f of ['email', 'username', 'name']) if (b[f] !== undefined && typeof b[f] !== 'string') return badData(`${f} must be string`);
    if (b.sendEmail !== undefined && typeof b.sendEmail !== 'boolean') return badData('sendEmail must be boolean');
    if (b.rootRole === undefined) return badData('The `/body/rootRole` property is required. It was not present on the data you sent.');
    // A numeric string is coerced to the id, as the real server does.
    const rootRole = typeof b.rootRole === 'string' && /^\d+$/.test(b.rootRole) ? Number(b.rootRole) : b.rootRole;
    const roleOk = (Number.isInteger(rootRole) && ROLES[rootRole as number]) || ROLE_NAMES.includes(rootRole as string);
    if (!roleOk) return badData(`Could not find rootRole=${b.rootRole}`);
    if (typeof b.email === 'string' && !EMAIL.test(b.email)) return badData(`"value" must be a valid email. You provided "${b.email}".`);
    // Unleash stores e-mails lower-cased.
    const email = typeof b.email === 'string' ? b.email.toLowerCase() : undefined;
    if (email !== undefined && this.users.some((u) => u.email === email)) return alreadyExists();
    const username = b.username as string | undefined;
    if (username !== undefined && this.users.some((u) => u.username === username)) {
      if (email === undefined) return alreadyExists();
      return sqlError(`duplicate key value violates unique constraint "users_username_key"`);
    }
    if (typeof b.name === 'string' && b.name.length > 255) return sqlError('value too long for type character varying(255)');
    const id = this.nextUserId++;
    // Absent fields are absent in the answer too, not null.
    const user = {
      accountType: 'User',
      id,
      ...(b.name !== undefined ? { name: b.name } : {}),
      ...(username !== undefined ? { username } : {}),
      ...(email !== undefined ? { email } : {}),
      rootRole,
      createdAt: new Date().toISOString(),
      imageUrl: 'https://gravatar.com/avatar/00000000000000000000000000000000?s=42&d=retro&r=g',
      isAPI: false,
      seenAt: null,
      loginAttempts: 0,
      emailSent: false,
    };
    this.users.push(user);
    return {
      status: 201,
      body: { ...user, inviteLink: `http://127.0.0.1:${this.port}/new-user?token=${secretToken(20)}` },
      headers: { location: String(id) },
    };
  }

  private listUsers(): SandboxResponse {
    return {
      status: 200,
      body: { users: this.users.filter((u) => !u.isService), rootRoles: Object.entries(ROLES).map(([id, name]) => ({ id: Number(id), name, type: 'root' })) },
    };
  }
}

function badData(message: string): SandboxResponse {
  return {
    status: 400,
    body: {
      id: secretToken(8),
      name: 'BadDataError',
      message: `Request validation failed: your request body or params contain invalid data: ${message}`,
      details: [{ message }],
    },
  };
}

function alreadyExists(): SandboxResponse {
  return {
    status: 400,
    body: {
      name: 'BadDataError',
      message: 'Request validation failed: your request body or params contain invalid data: User already exists',
      details: [{ message: 'User already exists' }],
    },
  };
}

function sqlError(detail: string): SandboxResponse {
  return {
    status: 500,
    body: { name: 'UnknownError', message: `insert into "users" ("email", "name", "username") values ($1, $2, $3) returning * - ${detail}` },
  };
}
