/**
 * The identity service's public vocabulary, for the GraphQL layer: it sees
 * these through identity/ only, never providers/ or idempotency/ directly.
 */
export type {
  CreatedEntity,
  IssuedCredential,
  Operation,
  ServiceAccountSpec,
  TargetFailure,
  UserSpec,
} from '../providers/identity.types';
export type { StoredRecord } from '../idempotency/idempotency.store';
