import type { CreatedEntity, IssuedCredential, TargetFailure } from '../providers/identity.types';
import type { RecordStatus } from '../idempotency/idempotency.store';

export type TargetResult =
  | {
      readonly providerId: string;
      readonly kind: 'created';
      readonly entity: CreatedEntity;
      /** Present only in the response that created them; empty when replayed. */
      readonly credentials: readonly IssuedCredential[];
      readonly replayed: boolean;
    }
  | { readonly providerId: string; readonly kind: 'failed'; readonly failure: TargetFailure };

export interface CreateResult {
  readonly idempotencyKey: string;
  readonly status: RecordStatus;
  readonly results: readonly TargetResult[];
}

/** UNSUPPORTED and every other failure count against SUCCEEDED; replayed successes count as created. */
export function overallStatus(results: readonly TargetResult[]): RecordStatus {
  const created = results.filter((r) => r.kind === 'created').length;
  if (created === results.length) return 'SUCCEEDED';
  return created === 0 ? 'FAILED' : 'PARTIAL';
}
