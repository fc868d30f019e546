import type { ProviderConfig } from '../../config/config.schema';
import { messageField, type FailureQuirks } from '../http-failure.mapper';
import { HttpProviderAdapter, identified } from '../http-provider.adapter';
import type { Operation, PrepareResult, ServiceAccountSpec, SpecByOperation, UserSpec } from '../identity.types';
import { optString } from '../provider.call';

type HoopConfig = Extract<ProviderConfig, { kind: 'hoop' }>;

/** hoop.dev: errors are always `{"message": ...}`. */
const quirks: FailureQuirks = { messageOf: messageField };

export class HoopAdapter extends HttpProviderAdapter {
  readonly kind = 'hoop' as const;
  readonly operations: ReadonlySet<Operation> = new Set<Operation>(['createServiceAccount', 'createUser']);

  constructor(private readonly config: HoopConfig, token: string) {
    super(config, `Bearer ${token}`);
  }

  prepare<O extends Operation>(operation: O, spec: SpecByOperation[O]): PrepareResult {
    return operation === 'createServiceAccount'
      ? this.prepareServiceAccount(spec as ServiceAccountSpec)
      : this.prepareUser(spec as UserSpec);
  }

  private prepareServiceAccount(spec: ServiceAccountSpec): PrepareResult {
    const subject = spec.hoop?.subject ?? spec.name;
    // The guard is case-insensitive: two subjects differing only in case are far likelier one
    // client typed twice than two clients, and a false CONFLICT is cheaper than a duplicate.
    return this.ready(subject.toLowerCase(), {
      path: '/serviceaccounts',
      body: {
        subject,
        name: spec.displayName ?? spec.name,
        status: spec.status.toLowerCase(),
        groups: spec.hoop?.groups ?? this.config.defaults.groups,
      },
      quirks,
      read: (json) => {
        const r = identified(json);
        if (!r) return undefined;
        return {
          entity: { id: r.id, name: optString(r.o.subject) ?? subject, displayName: optString(r.o.name), status: optString(r.o.status)?.toUpperCase() },
          credentials: [],
        };
      },
    });
  }

  private prepareUser(spec: UserSpec): PrepareResult {
    return this.ready(spec.email.toLowerCase(), {
      path: '/users',
      body: {
        email: spec.email,
        name: spec.name,
        status: spec.status.toLowerCase(),
        groups: spec.groups ?? this.config.defaults.groups,
        slack_id: spec.hoop?.slackId,
        picture: spec.hoop?.picture,
        password: spec.hoop?.password,
      },
      quirks,
      // hoop echoes the password in plain text: only the fields below are ever read.
      read: (json) => {
        const r = identified(json);
        if (!r) return undefined;
        return {
          entity: { id: r.id, email: optString(r.o.email) ?? spec.email, name: optString(r.o.name), status: optString(r.o.status)?.toUpperCase() },
          credentials: [],
        };
      },
    });
  }
}
