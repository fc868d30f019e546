import type { ProviderConfig } from '../../config/config.schema';
import { ProviderHttpClient } from '../../http/provider-http.client';
import { messageField, type FailureQuirks } from '../http-failure.mapper';
import type { Operation, PrepareResult, ServiceAccountSpec, SpecByOperation } from '../identity.types';
import type { ProviderAdapter } from '../provider.adapter';
import { asObject, optString, requireId, sendProviderCall } from '../provider.call';

type VersoriConfig = Extract<ProviderConfig, { kind: 'versori' }>;

/** Versori errors are `{code, message, cause}`; `cause` is internal detail and is not forwarded. */
const quirks: FailureQuirks = { messageOf: messageField };
const ORG_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export class VersoriAdapter implements ProviderAdapter {
  readonly kind = 'versori' as const;
  readonly operations: ReadonlySet<Operation> = new Set<Operation>(['createServiceAccount']);
  readonly id: string;
  private readonly http: ProviderHttpClient;

  constructor(private readonly config: VersoriConfig, token: string) {
    this.id = config.id;
    this.http = new ProviderHttpClient({ baseUrl: config.baseUrl, timeoutMs: config.timeoutMs, authorization: `JWT ${token}` });
  }

  prepare<O extends Operation>(operation: O, spec: SpecByOperation[O]): PrepareResult {
    if (operation !== 'createServiceAccount') return { kind: 'unsupported', message: `${this.id} (versori) cannot create users` };
    const sa = spec as ServiceAccountSpec;
    if (sa.status !== 'ACTIVE') {
      return { kind: 'unsupported', message: `Versori service accounts have no status; cannot create one ${sa.status}` };
    }
    const organisationId = sa.versori?.organisationId ?? this.config.defaults.organisationId;
    if (!organisationId) {
      return { kind: 'invalid', problems: [{ field: 'versori.organisationId', message: `required by ${this.id} (no default organisationId configured)` }] };
    }
    if (!ORG_ID.test(organisationId)) {
      return { kind: 'invalid', problems: [{ field: 'versori.organisationId', message: 'must be letters, digits, _ or - (at most 128)' }] };
    }
    const body = { name: sa.name, roles: sa.versori?.roles ?? this.config.defaults.roles, groupIDs: sa.versori?.groupIds };
    return {
      kind: 'ready',
      call: {
        naturalKey: `${organisationId}/${sa.name}`,
        send: () =>
          sendProviderCall({
            providerId: this.id,
            http: this.http,
            path: `/organisations/${encodeURIComponent(organisationId)}/service-accounts`,
            body,
            quirks,
            readSuccess: (json) => {
              const o = asObject(json);
              const id = requireId(o?.id);
              if (!o || !id) return undefined;
              const clientSecret = optString(o.clientSecret);
              return {
                entity: { id, name: optString(o.name) ?? sa.name, email: optString(o.email), status: 'ACTIVE' },
                credentials: clientSecret ? [{ kind: 'CLIENT_SECRET', clientId: optString(o.clientId), secret: clientSecret }] : [],
              };
            },
          }),
      },
    };
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
