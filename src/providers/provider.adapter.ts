import type { ProviderKind } from '../config/config.schema';
import type { Operation, PrepareResult, SpecByOperation } from './identity.types';

/**
 * One configured provider instance. Knows its provider's HTTP API and quirks,
 * nothing of GraphQL or idempotency.
 */
export interface ProviderAdapter {
  readonly id: string;
  readonly kind: ProviderKind;
  /** Operations this instance can perform; others are UNSUPPORTED without a call. */
  readonly operations: ReadonlySet<Operation>;
  prepare<O extends Operation>(operation: O, spec: SpecByOperation[O]): PrepareResult;
  close(): Promise<void>;
}
