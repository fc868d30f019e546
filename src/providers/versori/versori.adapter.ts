import type { ProviderConfig } from '../../config/config.schema';
import { messageField, type FailureQuirks } from '../http-failure.mapper';
import { HttpProviderAdapter, identified } from '../http-provider.adapter';
import type { Operation, PrepareResult, ServiceAccountSpec, SpecByOperation } from '../identity.types';
import { optString } from '../provider.call';

type VersoriConfig = Extract<ProviderConfig, { kind: 'versori' }>;

/** Versori errors are `{code, message, cause}`; `cause` is internal detail and is not forwarded. */
const quirks: FailureQuirks = { messageOf: messageField };
const ORG_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export class VersoriAdapter extends HttpProviderAdapter {
  readonly kind = 'versori' as const;
  readonly operations: ReadonlySet<Operation> = new Set<Operation>(['createServiceAccount']);

  constructor(private readonly config: VersoriConfig, token: string) {
    super(config, `JWT ${token}`);
  }

  prepare<O extends Operation>(operation: O, spec: SpecByOperation[O]): PrepareResult {
    if (operation !== 'createServiceAccount') return { kind: 'unsupported', message: `${this.id} (versori) cannot create users` };
    const sa = spec as ServiceAccountSpec;
    if (sa.status !== 'ACTIVE') {
      return { kind: 'unsupported', message: `Versori service accounts have no status; cannot create one ${sa.status}` };
    }
    const organisationId = sa.versori?.organisationId ?? this.config.defaults.organisationId;
    if (!organisationId) return this.missing('versori.organisationId', 'organisationId');
    if (!ORG_ID.test(organisationId)) {
      return { kind: 'invalid', problems: [{ field: 'versori.organisationId', message: 'must be letters, digits, _ or - (at most 128)' }] };
    }
    return this.ready(`${organisationId}/${sa.name}`, {
      path: `/organisations/${encodeURIComponent(organisationId)}/service-accounts`,
      body: { name: sa.name, roles: sa.versori?.roles ?? this.config.defaults.roles, groupIDs: sa.versori?.groupIds },
      quirks,
      read: (json) => {
        const r = identified(json);
        if (!r) return undefined;
        const clientSecret = optString(r.o.clientSecret);
        return {
          entity: { id: r.id, name: optString(r.o.name) ?? sa.name, email: optString(r.o.email), status: 'ACTIVE' },
          credentials: clientSecret ? [{ kind: 'CLIENT_SECRET', clientId: optString(r.o.clientId), secret: clientSecret }] : [],
        };
      },
    });
  }
}
