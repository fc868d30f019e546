import type { ProviderConfig } from '../../config/config.schema';
import { ProviderHttpClient } from '../../http/provider-http.client';
import { messageField, type FailureQuirks } from '../http-failure.mapper';
import type { Operation, PrepareResult, ServiceAccountSpec, SpecByOperation, UserSpec } from '../identity.types';
import type { ProviderAdapter } from '../provider.adapter';
import { asObject, optString, requireId, sendProviderCall } from '../provider.call';

type HoopConfig = Extract<ProviderConfig, { kind: 'hoop' }>;

/** hoop.dev: errors are always `{"message": ...}`. */
const quirks: FailureQuirks = { messageOf: messageField };

export class HoopAdapter implements ProviderAdapter {
  readonly kind = 'hoop' as const;
  readonly operations: ReadonlySet<Operation> = new Set<Operation>(['createServiceAccount', 'createUser']);
  readonly id: string;
  private readonly http: ProviderHttpClient;

  constructor(private readonly config: HoopConfig, token: string) {
    this.id = config.id;
    this.http = new ProviderHttpClient({ baseUrl: config.baseUrl, timeoutMs: config.timeoutMs, authorization: `Bearer ${token}` });
  }

  prepare<O extends Operation>(operation: O, spec: SpecByOperation[O]): PrepareResult {
    return operation === 'createServiceAccount'
      ? this.prepareServiceAccount(spec as ServiceAccountSpec)
      : this.prepareUser(spec as UserSpec);
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private prepareServiceAccount(spec: ServiceAccountSpec): PrepareResult {
    const subject = spec.hoop?.subject ?? spec.name;
    const body = {
      subject,
      name: spec.displayName ?? spec.name,
      status: spec.status.toLowerCase(),
      groups: spec.hoop?.groups ?? this.config.defaults.groups,
    };
    return {
      kind: 'ready',
      call: {
        naturalKey: subject,
        send: () =>
          sendProviderCall({
            providerId: this.id,
            http: this.http,
            path: '/serviceaccounts',
            body,
            quirks,
            readSuccess: (json) => {
              const o = asObject(json);
              const id = requireId(o?.id);
              if (!o || !id) return undefined;
              return {
                entity: {
                  id,
                  name: optString(o.subject) ?? subject,
                  displayName: optString(o.name),
                  status: optString(o.status)?.toUpperCase(),
                },
                credentials: [],
              };
            },
          }),
      },
    };
  }

  private prepareUser(spec: UserSpec): PrepareResult {
    const body = {
      email: spec.email,
      name: spec.name,
      status: spec.status.toLowerCase(),
      groups: spec.groups ?? this.config.defaults.groups,
      slack_id: spec.hoop?.slackId,
      picture: spec.hoop?.picture,
      password: spec.hoop?.password,
    };
    return {
      kind: 'ready',
      call: {
        naturalKey: spec.email.toLowerCase(),
        send: () =>
          sendProviderCall({
            providerId: this.id,
            http: this.http,
            path: '/users',
            body,
            quirks,
            // hoop echoes the password in plain text: only the fields below are ever read.
            readSuccess: (json) => {
              const o = asObject(json);
              const id = requireId(o?.id);
              if (!o || !id) return undefined;
              return {
                entity: {
                  id,
                  email: optString(o.email) ?? spec.email,
                  name: optString(o.name),
                  status: optString(o.status)?.toUpperCase(),
                },
                credentials: [],
              };
            },
          }),
      },
    };
  }
}
