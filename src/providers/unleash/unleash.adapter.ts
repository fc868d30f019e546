import { ProviderErrorCode, type IssuedCredential, type PrepareResult, type Preparers, type ServiceAccountSpec, type UserSpec } from '../../domain';
import { messageField, type FailureQuirks } from '../http-failure.mapper';
import { HttpProviderAdapter, described } from '../http-provider.adapter';
import type { HttpResponse } from '../http/http-outcome.types';
import { asObject, optString } from '../provider.call';
import { optionsOf } from '../provider.options';
import type { UnleashConfig } from './unleash.config';
import type { UnleashServiceAccountOptions, UnleashUserOptions } from './unleash.spec';

// Every quirk below is recorded, as verified against a real unleash-server 8.2.0, in docs/providers.md.

/** Unleash's built-in root roles; the service-account API takes only the integer id. */
const ROOT_ROLE_IDS: Readonly<Record<string, number>> = { Admin: 1, Editor: 2, Viewer: 3 };

function detailsMessages(json: unknown): string[] {
  const details = asObject(json)?.details;
  if (!Array.isArray(details)) return [];
  return details.map((d) => optString(asObject(d)?.message)).filter((m): m is string => !!m);
}

function unleashMessage(json: unknown): string | undefined {
  const details = detailsMessages(json);
  return details.length ? details.join('; ') : messageField(json);
}

const ALREADY_EXISTS = /already exists/i;
/** Unleash answers a duplicate username (when an e-mail is given) with a 500 carrying the SQL error. */
const DUPLICATE_KEY = /duplicate key value violates unique constraint/i;

function classifyUserError(res: HttpResponse, json: unknown) {
  if (res.status === 400 && detailsMessages(json).some((m) => ALREADY_EXISTS.test(m))) {
    return { code: ProviderErrorCode.CONFLICT, message: 'User already exists' };
  }
  if (res.status >= 500 && DUPLICATE_KEY.test(res.body)) {
    // Our own words only: the body holds the SQL statement.
    return { code: ProviderErrorCode.CONFLICT, message: 'A user with this username already exists' };
  }
  return undefined;
}

const userQuirks: FailureQuirks = { messageOf: unleashMessage, classify: classifyUserError };
const serviceAccountQuirks: FailureQuirks = {
  messageOf: unleashMessage,
  classify: (res, json) => {
    // Only Unleash's own NotFoundError: a 404 from a proxy, or a baseUrl with a wrong path, is NOT_FOUND, which
    // tells the operator to look at the address rather than at the server's edition.
    if (res.status === 404 && asObject(json)?.name === 'NotFoundError') {
      return {
        code: ProviderErrorCode.UNSUPPORTED,
        message: 'This Unleash server has no service-account API (it is an Enterprise feature)',
      };
    }
    return classifyUserError(res, json);
  },
};

export class UnleashAdapter extends HttpProviderAdapter {
  readonly kind = 'unleash';
  readonly prepare: Preparers;

  constructor(
    private readonly config: UnleashConfig,
    token: string,
  ) {
    // Unleash documents the raw token, without a scheme.
    super(config, token);
    // The open-source server has no service-account API: not offered, so never called.
    this.prepare =
      config.edition === 'oss'
        ? { createUser: (spec) => this.prepareUser(spec) }
        : { createServiceAccount: (spec) => this.prepareServiceAccount(spec), createUser: (spec) => this.prepareUser(spec) };
  }

  private prepareServiceAccount(spec: ServiceAccountSpec): PrepareResult {
    const unleash = optionsOf<UnleashServiceAccountOptions>(spec.options, this.kind);
    if (spec.status !== 'ACTIVE') {
      return { kind: 'unsupported', message: `Unleash service accounts have no status; cannot create one ${spec.status}` };
    }
    const fallback = this.config.defaults.rootRole;
    const rootRole = unleash?.rootRole ?? (typeof fallback === 'string' ? ROOT_ROLE_IDS[fallback] : fallback);
    if (rootRole === undefined) return this.missing('unleash.rootRole', 'rootRole');
    const username = unleash?.username ?? spec.name;
    return this.ready(username.toLowerCase(), {
      path: '/api/admin/service-account',
      // 409 for an existing resource (its OpenAPI).
      refusesDuplicates: true,
      body: { username, name: spec.displayName ?? spec.name, rootRole },
      quirks: serviceAccountQuirks,
      read: (json) => {
        // The schema requires an id, but an answer without a usable one still carries the only copy of its tokens.
        const r = described(json, ['username', 'tokens', 'inviteLink'], unleashError);
        if (!r) return undefined;
        const credentials: IssuedCredential[] = [];
        // A list in the schema; a single token object is read as a list of one rather than dropped.
        for (const t of Array.isArray(r.o.tokens) ? r.o.tokens : r.o.tokens ? [r.o.tokens] : []) {
          const token = asObject(t);
          const secret = optString(token?.secret);
          if (token && secret) credentials.push({ kind: 'PERSONAL_ACCESS_TOKEN', id: optString(token.id), secret, expiresAt: optString(token.expiresAt) });
        }
        const invite = optString(r.o.inviteLink);
        if (invite) credentials.push({ kind: 'INVITE_LINK', secret: invite });
        return {
          entity: {
            id: r.id,
            name: optString(r.o.username) ?? username,
            displayName: optString(r.o.name),
            status: 'ACTIVE',
            createdAt: optString(r.o.createdAt),
          },
          credentials,
        };
      },
    });
  }

  private prepareUser(spec: UserSpec): PrepareResult {
    if (spec.status !== 'ACTIVE') {
      return { kind: 'unsupported', message: `Unleash users have no status; cannot create one ${spec.status}` };
    }
    const unleash = optionsOf<UnleashUserOptions>(spec.options, this.kind);
    const rootRole = unleash?.rootRole ?? this.config.defaults.rootRole;
    if (rootRole === undefined) return this.missing('unleash.rootRole', 'rootRole');
    return this.ready(spec.email.toLowerCase(), {
      path: '/api/admin/user-admin',
      // "User already exists" (400), or the duplicate-key 500 for a username.
      refusesDuplicates: true,
      // Unleash rejects unknown fields with 400: exactly these five, never groups or status.
      body: { email: spec.email, name: spec.name, username: unleash?.username, rootRole, sendEmail: unleash?.sendEmail ?? false },
      quirks: userQuirks,
      read: (json) => {
        const r = described(json, ['email', 'inviteLink'], unleashError);
        if (!r) return undefined;
        const invite = optString(r.o.inviteLink);
        return {
          entity: {
            id: r.id,
            email: optString(r.o.email) ?? spec.email,
            name: optString(r.o.name),
            username: optString(r.o.username),
            status: 'ACTIVE',
            createdAt: optString(r.o.createdAt),
          },
          credentials: invite ? [{ kind: 'INVITE_LINK', secret: invite }] : [],
        };
      },
    });
  }
}

/** Unleash's error body, `{id?, name, message, details}` (an id too: its error's own), is no create under a 2xx. */
function unleashError(o: Record<string, unknown>): boolean {
  return typeof o.message === 'string' && (Array.isArray(o.details) || (typeof o.name === 'string' && /Error$/.test(o.name)));
}
