import type { PrepareResult, Preparers, ServiceAccountSpec, UserSpec } from '../../domain';
import { messageField, type FailureQuirks } from '../http-failure.mapper';
import { HttpProviderAdapter, described } from '../http-provider.adapter';
import { optString } from '../provider.call';
import { optionsOf } from '../provider.options';
import type { HoopConfig } from './hoop.config';
import type { HoopServiceAccountOptions, HoopUserOptions } from './hoop.spec';

/** hoop's statuses (lower-case in its answers): a `status` of anything else, with no subject, is an error body. */
const HOOP_STATUS = /^(active|inactive|invited)$/i;

/** hoop.dev: errors are always `{"message": ...}` (docs/providers.md). */
const quirks: FailureQuirks = { messageOf: messageField };

export class HoopAdapter extends HttpProviderAdapter {
  readonly kind = 'hoop';
  readonly prepare: Preparers = {
    createServiceAccount: (spec) => this.prepareServiceAccount(spec),
    createUser: (spec) => this.prepareUser(spec),
  };

  constructor(
    private readonly config: HoopConfig,
    token: string,
  ) {
    super(config, `Bearer ${token}`);
  }

  private prepareServiceAccount(spec: ServiceAccountSpec): PrepareResult {
    const hoop = optionsOf<HoopServiceAccountOptions>(spec.options, this.kind);
    const subject = hoop?.subject ?? spec.name;
    // The guard is the subject exactly as sent: it names an identity provider's client, whose ids are
    // case-sensitive (hoop's own uniqueness check is too), so two subjects differing in case are two accounts.
    return this.ready(subject, {
      path: '/serviceaccounts',
      // A subject is globally unique: a second create is 409.
      refusesDuplicates: true,
      body: {
        subject,
        name: spec.displayName ?? spec.name,
        status: spec.status.toLowerCase(),
        groups: hoop?.groups ?? this.config.defaults.groups,
      },
      quirks,
      read: (json) => {
        // The contract requires subject and status of its 201, not the (read-only) id.
        const r = described(
          json,
          ['subject', 'status'],
          (o) => o.subject === undefined && (typeof o.message === 'string' || (o.status !== undefined && !HOOP_STATUS.test(String(o.status)))),
        );
        if (!r) return undefined;
        return {
          entity: { id: r.id, name: optString(r.o.subject) ?? subject, displayName: optString(r.o.name), status: optString(r.o.status)?.toUpperCase() },
          credentials: [],
        };
      },
    });
  }

  private prepareUser(spec: UserSpec): PrepareResult {
    const hoop = optionsOf<HoopUserOptions>(spec.options, this.kind);
    return this.ready(spec.email.toLowerCase(), {
      path: '/users',
      // The same e-mail in the same organisation is 409.
      refusesDuplicates: true,
      body: {
        email: spec.email,
        name: spec.name,
        status: spec.status.toLowerCase(),
        groups: spec.groups ?? this.config.defaults.groups,
        slack_id: hoop?.slackId,
        picture: hoop?.picture,
        password: hoop?.password,
      },
      quirks,
      // hoop echoes the password in plain text: only the fields below are ever read.
      read: (json) => {
        // The contract requires only the e-mail of its 201.
        const r = described(json, ['email'], (o) => o.email === undefined && typeof o.message === 'string');
        if (!r) return undefined;
        return {
          entity: { id: r.id, email: optString(r.o.email) ?? spec.email, name: optString(r.o.name), status: optString(r.o.status)?.toUpperCase() },
          credentials: [],
        };
      },
    });
  }
}
