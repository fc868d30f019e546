import { ProviderErrorCode, type PrepareResult, type Preparers, type ServiceAccountSpec } from '../../domain';
import { failure, messageField, type FailureQuirks } from '../http-failure.mapper';
import { HttpProviderAdapter, described } from '../http-provider.adapter';
import { optString } from '../provider.call';
import { optionsOf } from '../provider.options';
import { ORGANISATION_ID, type VersoriConfig } from './versori.config';
import type { VersoriServiceAccountOptions } from './versori.spec';

/** Versori errors are `{code, message, cause}`; `cause` is internal detail and is not forwarded (docs/providers.md). */
const quirks: FailureQuirks = { messageOf: messageField };

/** Versori: service accounts only, under an organisation. */
export class VersoriAdapter extends HttpProviderAdapter {
  readonly kind = 'versori';
  readonly prepare: Preparers = { createServiceAccount: (spec) => this.prepareServiceAccount(spec) };

  constructor(
    private readonly config: VersoriConfig,
    token: string,
  ) {
    super(config, `JWT ${token}`);
  }

  private prepareServiceAccount(sa: ServiceAccountSpec): PrepareResult {
    if (sa.status !== 'ACTIVE') {
      return { kind: 'unsupported', message: `Versori service accounts have no status; cannot create one ${sa.status}` };
    }
    const versori = optionsOf<VersoriServiceAccountOptions>(sa.options, this.kind);
    const organisationId = versori?.organisationId ?? this.config.defaults.organisationId;
    if (!organisationId) return this.missing('versori.organisationId', 'organisationId');
    if (!ORGANISATION_ID.test(organisationId)) {
      return { kind: 'invalid', problems: [{ field: 'versori.organisationId', message: 'must be letters, digits, _ or - (at most 128)' }] };
    }
    return this.ready(`${organisationId}/${sa.name}`, {
      path: `/organisations/${encodeURIComponent(organisationId)}/service-accounts`,
      // A name is unique within its organisation (Versori's API reference).
      refusesDuplicates: true,
      body: { name: sa.name, roles: versori?.roles ?? this.config.defaults.roles, groupIDs: versori?.groupIds },
      quirks,
      read: (json, status) => {
        // The contract's ServiceAccount requires nothing: an answer without an id still carries the only copy
        // of the client secret.
        // Versori's error body is `{code, message}`, and may carry a `name` of its own.
        const r = described(
          json,
          ['clientSecret', 'clientId', 'name'],
          (o) => typeof o.code === 'string' && typeof o.message === 'string' && o.clientSecret === undefined,
        );
        if (!r) return undefined;
        const clientSecret = optString(r.o.clientSecret);
        // The contract shows the secret once, in this answer: an account without it is of no use to the caller,
        // and a success with no credential would hide that. Not retryable: the account exists.
        if (!clientSecret) {
          return {
            failure: failure(
              ProviderErrorCode.INTERNAL,
              `versori created service account ${r.id ?? `${optString(r.o.name) ?? sa.name} (its answer named no id)`} but its answer carried no clientSecret (shown only once): issue a new secret for it on Versori`,
              { httpStatus: status },
            ),
          };
        }
        return {
          entity: { id: r.id, name: optString(r.o.name) ?? sa.name, email: optString(r.o.email), status: 'ACTIVE' },
          credentials: [{ kind: 'CLIENT_SECRET', clientId: optString(r.o.clientId), secret: clientSecret }],
        };
      },
    });
  }
}
