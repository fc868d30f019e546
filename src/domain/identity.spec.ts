import type { Operation } from './operation.enum';
import type { AccountStatus, UserStatus } from './status.enum';

/**
 * Per-kind options, keyed by provider kind (`hoop`, `unleash`, …): each
 * provider module defines and validates its own; the identity service only
 * carries them. Absent when the client sent none for that kind.
 */
export type ProviderOptions = Readonly<Partial<Record<string, Readonly<Record<string, unknown>>>>>;

export interface ServiceAccountSpec {
  /** A slug valid on every provider (NAME_SLUG). */
  readonly name: string;
  readonly displayName?: string;
  readonly description?: string;
  readonly status: AccountStatus;
  readonly options: ProviderOptions;
}

export interface UserSpec {
  readonly email: string;
  readonly name?: string;
  readonly status: UserStatus;
  readonly groups?: readonly string[];
  readonly options: ProviderOptions;
}

export interface SpecByOperation {
  createServiceAccount: ServiceAccountSpec;
  createUser: UserSpec;
}

export interface InputProblem {
  /** Input path of the problem, e.g. `hoop.groups[2]`. */
  readonly field: string;
  readonly message: string;
}

/** Validates one kind's options of one operation; the kind prefixes nothing, the module names its own fields. */
export type OptionsValidator = (operation: Operation, options: Readonly<Record<string, unknown>>) => InputProblem[];
