import type { AdapterHealth, PrepareResult, Preparers, ProviderAdapter, UpstreamRequestDescription } from '../domain';
import type { ProviderConfigBase } from '../config/provider-base.schema';
import type { FailureQuirks } from './http-failure.mapper';
import { ProviderHttpClient } from './http/provider-http.client';
import { asObject, describeProviderCall, requireId, sendProviderCall, type SuccessRead } from './provider.call';

export interface UpstreamRequest {
  readonly path: string;
  readonly body: Record<string, unknown>;
  readonly quirks: FailureQuirks;
  readonly read: (json: unknown, status: number) => SuccessRead | undefined;
  /** What the provider's contract says of a second create with the same natural key (PreparedCall.refusesDuplicates). */
  readonly refusesDuplicates: boolean;
}

/**
 * What every HTTP provider adapter shares: one client (Pool) with the
 * provider's own Authorization form, and turning a validated request into a
 * PreparedCall. Subclasses hold only their provider's mapping and quirks.
 */
export abstract class HttpProviderAdapter implements ProviderAdapter {
  abstract readonly kind: string;
  abstract readonly prepare: Preparers;
  readonly id: string;
  protected readonly http: ProviderHttpClient;

  constructor(config: Pick<ProviderConfigBase, 'id' | 'baseUrl' | 'timeoutMs'> & Partial<Pick<ProviderConfigBase, 'breaker'>>, authorization: string) {
    this.id = config.id;
    this.http = new ProviderHttpClient({ baseUrl: config.baseUrl, timeoutMs: config.timeoutMs, authorization, breaker: config.breaker });
  }

  health(): AdapterHealth {
    return this.http.health();
  }

  close(): Promise<void> {
    return this.http.close();
  }

  protected ready(naturalKey: string, request: UpstreamRequest): PrepareResult {
    const { path, body, quirks, read, refusesDuplicates } = request;
    const http = this.http;
    let described: UpstreamRequestDescription | undefined;
    return {
      kind: 'ready',
      call: {
        naturalKey,
        refusesDuplicates,
        // Only a plan shows it: a create would build and redact it for nothing.
        get request() {
          return (described ??= describeProviderCall({ http, path, body }));
        },
        send: () => sendProviderCall({ providerId: this.id, http: this.http, path, body, quirks, readSuccess: read }),
      },
    };
  }

  protected missing(field: string, what: string): PrepareResult {
    return { kind: 'invalid', problems: [{ field, message: `required by ${this.id} (no default ${what} configured)` }] };
  }
}

/** A provider object with a non-empty id, or undefined when the body is not one. */
export function identified(json: unknown): { o: Record<string, unknown>; id: string } | undefined {
  const r = described(json, []);
  return r?.id ? { o: r.o, id: r.id } : undefined;
}

/**
 * What a 2xx describes of the created object: an object with a usable id, or without one (absent, null,
 * empty, an object...) but carrying one of `fields` (what the contract's success object has, and an error
 * body has not). The create happened, and its answer may hold the only copy of a credential: reading it as
 * unreadable because of its id would throw that away. Undefined for anything else, and for a body in the
 * provider's error shape (`isError`: an error under a 2xx is no create, even with an id; docs/providers.md).
 */
export function described(
  json: unknown,
  fields: readonly string[],
  isError?: (o: Record<string, unknown>) => boolean,
): { o: Record<string, unknown>; id?: string } | undefined {
  const o = asObject(json);
  if (!o || isError?.(o)) return undefined;
  const id = requireId(o.id);
  if (id) return { o, id };
  return fields.some((f) => o[f] !== undefined && o[f] !== null) ? { o } : undefined;
}
