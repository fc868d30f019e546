import type { ProviderConfig } from '../../config/config.schema';
import { ProviderHttpClient } from '../../http/provider-http.client';
import { failure, messageField, statusToCode, trimMessage, type FailureQuirks } from '../http-failure.mapper';
import type { Operation, PrepareResult, ServiceAccountSpec, SpecByOperation } from '../identity.types';
import type { ProviderAdapter } from '../provider.adapter';
import { asObject, optString, requireId, sendProviderCall } from '../provider.call';

type GenericConfig = Extract<ProviderConfig, { kind: 'generic' }>;

/** Errors come in the same envelope as success: `{code, data, message, requestId}`. */
const quirks: FailureQuirks = { messageOf: messageField };

export class GenericAdapter implements ProviderAdapter {
  readonly kind = 'generic' as const;
  readonly operations: ReadonlySet<Operation> = new Set<Operation>(['createServiceAccount']);
  readonly id: string;
  private readonly http: ProviderHttpClient;

  constructor(private readonly config: GenericConfig, token: string) {
    this.id = config.id;
    this.http = new ProviderHttpClient({ baseUrl: config.baseUrl, timeoutMs: config.timeoutMs, authorization: `Bearer ${token}` });
  }

  prepare<O extends Operation>(operation: O, spec: SpecByOperation[O]): PrepareResult {
    if (operation !== 'createServiceAccount') return { kind: 'unsupported', message: `${this.id} (generic) cannot create users` };
    const sa = spec as ServiceAccountSpec;
    if (sa.status !== 'ACTIVE') {
      return { kind: 'unsupported', message: `${this.id} creates service accounts active only; cannot create one ${sa.status}` };
    }
    const permissions = sa.generic?.permissions ?? this.config.defaults.permissions;
    if (!permissions || permissions.length === 0) {
      return { kind: 'invalid', problems: [{ field: 'generic.permissions', message: `required by ${this.id} (no default permissions configured)` }] };
    }
    const body = { name: sa.name, description: sa.description, permissions };
    return {
      kind: 'ready',
      call: {
        naturalKey: sa.name,
        send: () =>
          sendProviderCall({
            providerId: this.id,
            http: this.http,
            path: '/v1/service-accounts',
            body,
            quirks,
            readSuccess: (json) => {
              const envelope = asObject(json);
              if (!envelope) return undefined;
              // An HTTP 200 can still carry an error code inside the envelope.
              const code = typeof envelope.code === 'number' ? envelope.code : 200;
              if (code < 200 || code >= 300) {
                const message = code < 500 && optString(envelope.message);
                return { failure: failure(statusToCode(code), message ? trimMessage(message) : `${this.id} answered code ${code}`, { httpStatus: code }) };
              }
              const data = asObject(envelope.data);
              const id = requireId(data?.id);
              if (!data || !id) return undefined;
              return {
                entity: {
                  id,
                  name: optString(data.name) ?? sa.name,
                  status: optString(data.status)?.toUpperCase(),
                  createdAt: optString(data.createdAt),
                },
                credentials: [],
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

