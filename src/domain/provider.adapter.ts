import type { UpstreamRequestDescription } from './create.plan';
import type { InputProblem, SpecByOperation } from './identity.spec';
import type { TargetOutcome } from './identity.outcome';
import type { Operation } from './operation.enum';
import type { CircuitState } from './status.enum';

/** A validated upstream request, ready to send. Building it never touches the network. */
export interface PreparedCall {
  /** Identity of the thing to create on this provider instance (subject, username, e-mail, org/name...). */
  readonly naturalKey: string;
  /**
   * Whether the provider itself refuses a second identity with this natural key (a 409 or its equivalent).
   * When it does not, a create whose outcome is unknown (a timeout, a connection that broke once the request
   * was under way, a proxy's 502/504, an attempt that died) is never sent again under the same key: a second
   * send could make a second identity (docs/idempotency.md, "Unknown outcomes").
   */
  readonly refusesDuplicates: boolean;
  /** The request `send` would make, for a plan: no credential values, secrets redacted. */
  readonly request: UpstreamRequestDescription;
  send(): Promise<TargetOutcome>;
}

export type PrepareResult =
  | { readonly kind: 'ready'; readonly call: PreparedCall }
  | { readonly kind: 'invalid'; readonly problems: readonly InputProblem[] }
  | { readonly kind: 'unsupported'; readonly message: string };

/** One preparer per operation the instance can perform; an operation without one is UNSUPPORTED without a call. */
export type Preparers = { readonly [O in Operation]?: (spec: SpecByOperation[O]) => PrepareResult };

/**
 * One configured provider instance. Knows its provider's HTTP API and quirks,
 * nothing of GraphQL or idempotency.
 */
export interface ProviderAdapter {
  readonly id: string;
  /** The provider module's kind name (`hoop`, `unleash`, …). */
  readonly kind: string;
  readonly prepare: Preparers;
  /** What the adapter itself knows of its provider's health; adapters without a breaker leave it out. */
  health?(): AdapterHealth;
  close(): Promise<void>;
}

export interface AdapterHealth {
  readonly circuit: CircuitState;
  /** Calls answered UNAVAILABLE without reaching the provider because the circuit was open, since start. */
  readonly shortCircuited: number;
}
