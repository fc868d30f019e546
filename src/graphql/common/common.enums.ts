import { registerEnumType } from 'type-graphql';
import { ProviderErrorCode } from '../../errors/provider-error-code.enum';

/** GraphQL enum names are the keys; values are the domain's own strings, so mapping is the identity. */
export enum AccountStatus { ACTIVE = 'ACTIVE', INACTIVE = 'INACTIVE' }
export enum UserStatus { ACTIVE = 'ACTIVE', INACTIVE = 'INACTIVE', INVITED = 'INVITED' }
export enum CreateStatus { SUCCEEDED = 'SUCCEEDED', PARTIAL = 'PARTIAL', FAILED = 'FAILED' }
export enum CredentialKind { PERSONAL_ACCESS_TOKEN = 'PERSONAL_ACCESS_TOKEN', CLIENT_SECRET = 'CLIENT_SECRET', INVITE_LINK = 'INVITE_LINK' }
export enum ProviderKind { HOOP = 'hoop', UNLEASH = 'unleash', VERSORI = 'versori', GENERIC = 'generic' }
export enum IdentityOperation { CREATE_SERVICE_ACCOUNT = 'createServiceAccount', CREATE_USER = 'createUser' }
export enum ProviderHealthState { UNKNOWN = 'UNKNOWN', HEALTHY = 'HEALTHY', DEGRADED = 'DEGRADED' }
export enum RecordState { IN_PROGRESS = 'in_progress', COMPLETED = 'completed' }

registerEnumType(AccountStatus, { name: 'AccountStatus', description: 'Status of a service account at creation.' });
registerEnumType(UserStatus, { name: 'UserStatus', description: 'Status of a user at creation.' });
registerEnumType(CreateStatus, {
  name: 'CreateStatus',
  description: 'SUCCEEDED: every target created (replays count). PARTIAL: some. FAILED: none (UNSUPPORTED counts as a failure).',
});
registerEnumType(CredentialKind, { name: 'CredentialKind' });
registerEnumType(ProviderKind, { name: 'ProviderKind' });
registerEnumType(IdentityOperation, { name: 'IdentityOperation' });
registerEnumType(ProviderHealthState, { name: 'ProviderHealthState', description: 'Passive: from recent real calls, never from probes.' });
registerEnumType(RecordState, { name: 'IdempotencyRecordState' });
registerEnumType(ProviderErrorCode, {
  name: 'ProviderErrorCode',
  description: 'Why a target failed. RATE_LIMITED, UNAVAILABLE and TIMEOUT are retryable with the same idempotency key.',
});

export { ProviderErrorCode };
