import type { ProviderErrorCode } from '../errors/provider-error-code.enum';

/**
 * The domain vocabulary shared by the identity service and the adapters.
 * Plain data: no GraphQL, no HTTP.
 */
export type Operation = 'createServiceAccount' | 'createUser';
export const OPERATIONS: readonly Operation[] = ['createServiceAccount', 'createUser'];

export type AccountStatus = 'ACTIVE' | 'INACTIVE';
export type UserStatus = 'ACTIVE' | 'INACTIVE' | 'INVITED';

export interface ServiceAccountSpec {
  readonly name: string;
  readonly displayName?: string;
  readonly description?: string;
  readonly status: AccountStatus;
  readonly hoop?: { readonly subject?: string; readonly groups?: readonly string[] };
  readonly unleash?: { readonly username?: string; readonly rootRole?: number };
  readonly versori?: { readonly organisationId?: string; readonly roles?: readonly string[]; readonly groupIds?: readonly string[] };
  readonly generic?: { readonly permissions?: readonly string[] };
}

export interface UserSpec {
  readonly email: string;
  readonly name?: string;
  readonly status: UserStatus;
  readonly groups?: readonly string[];
  readonly hoop?: { readonly slackId?: string; readonly picture?: string; readonly password?: string };
  readonly unleash?: { readonly username?: string; readonly rootRole?: number; readonly sendEmail?: boolean };
}

export interface SpecByOperation {
  createServiceAccount: ServiceAccountSpec;
  createUser: UserSpec;
}

/** What a provider created, as far as it is safe to keep: no secrets. */
export interface CreatedEntity {
  readonly id: string;
  readonly name?: string;
  readonly displayName?: string;
  readonly email?: string;
  readonly username?: string;
  readonly status?: string;
  readonly createdAt?: string;
}

export type CredentialKind = 'PERSONAL_ACCESS_TOKEN' | 'CLIENT_SECRET' | 'INVITE_LINK';

/** A one-time value issued by a provider: returned once, never stored or logged. */
export interface IssuedCredential {
  readonly kind: CredentialKind;
  readonly id?: string;
  readonly clientId?: string;
  readonly secret: string;
  readonly expiresAt?: string;
}

export interface TargetFailure {
  readonly code: ProviderErrorCode;
  readonly message: string;
  readonly httpStatus?: number;
  readonly retryable: boolean;
  readonly retryAfterSeconds?: number;
}

export type TargetOutcome =
  | { readonly ok: true; readonly entity: CreatedEntity; readonly credentials: readonly IssuedCredential[] }
  | { readonly ok: false; readonly failure: TargetFailure };

export interface InputProblem {
  readonly field: string;
  readonly message: string;
}

/** A validated upstream request, ready to send. Building it never touches the network. */
export interface PreparedCall {
  /** Identity of the thing to create on this provider instance (subject, username, e-mail, org/name...). */
  readonly naturalKey: string;
  send(): Promise<TargetOutcome>;
}

export type PrepareResult =
  | { readonly kind: 'ready'; readonly call: PreparedCall }
  | { readonly kind: 'invalid'; readonly problems: readonly InputProblem[] }
  | { readonly kind: 'unsupported'; readonly message: string };
