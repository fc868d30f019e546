import type { CreatedEntity, CreateResult, CreateStatus, IssuedCredential, TargetResult } from '../../domain';
import type { IdentityService } from '../../identity/identity.service';
import { toProvider } from '../provider/provider.mapper';
import type { Provider } from '../provider/provider.type';
import { Credential } from './credential.type';
import { parseDateTime } from './date-time.parser';
import { ProviderFailure } from './provider-failure.type';

/** Provider timestamps are passed on only when they parse: a bad one must not fail the whole response. */
export function toDate(value: string | undefined): Date | undefined {
  return value ? parseDateTime(value) : undefined;
}

export function toCredential(c: IssuedCredential): Credential {
  return Object.assign(new Credential(), { kind: c.kind, id: c.id, clientId: c.clientId, secret: c.secret, expiresAt: toDate(c.expiresAt) });
}

export interface CreatedParts {
  provider: Provider;
  entity: CreatedEntity;
  credentials: Credential[];
  replayed: boolean;
}

/** Shared by both payloads: one result per target, created ones built by `created`. */
export function mapResults<T>(
  result: CreateResult,
  identity: IdentityService,
  created: (parts: CreatedParts) => T,
): { idempotencyKey: string; status: CreateStatus; results: Array<T | ProviderFailure> } {
  return {
    idempotencyKey: result.idempotencyKey,
    status: result.status,
    results: result.results.map((r: TargetResult) => {
      const provider = toProvider(identity.providerInfo(r.providerId)!);
      if (r.kind === 'created') {
        return created({ provider, entity: r.entity, credentials: r.credentials.map(toCredential), replayed: r.replayed });
      }
      return Object.assign(new ProviderFailure(), {
        provider,
        code: r.failure.code,
        message: r.failure.message,
        httpStatus: r.failure.httpStatus,
        retryable: r.failure.retryable,
        retryAfterSeconds: r.failure.retryAfterSeconds,
        upstreamRequestId: r.failure.upstreamRequestId,
      });
    }),
  };
}
