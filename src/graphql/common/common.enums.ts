import { registerEnumType } from 'type-graphql';
import {
  AccountStatus,
  AnswerStatus,
  AuditStatus,
  AuditTargetResult,
  CircuitState,
  CredentialKind,
  GuardState,
  HealthState,
  IdentityOperation,
  PlanAction,
  PlanKeyState,
  ProviderErrorCode,
  RecordState,
  UserStatus,
} from '../../domain';

/**
 * The domain's enums, registered as they are: the GraphQL type and the
 * TypeScript type are one declaration (domain/), so no cast bridges them.
 */
registerEnumType(AccountStatus, {
  name: 'AccountStatus',
  description:
    'Status of a service account at creation. Only hoop has one: a target on a provider without a status (Unleash, Versori, generic) asked for anything but ACTIVE is UNSUPPORTED, without a call.',
});
registerEnumType(UserStatus, {
  name: 'UserStatus',
  description: 'Status of a user at creation. Only hoop has one: an Unleash target asked for anything but ACTIVE is UNSUPPORTED, without a call.',
});
// Named CreateStatus in the schema: the statuses of a create, and DRY_RUN, which only a dry run answers.
registerEnumType(AnswerStatus, {
  name: 'CreateStatus',
  description:
    'SUCCEEDED: every target created (replays count). PARTIAL: some. FAILED: none (UNSUPPORTED counts as a failure). DRY_RUN: only for dryRun: true, which claimed, guarded and sent nothing (see plan).',
});
registerEnumType(CredentialKind, { name: 'CredentialKind' });
registerEnumType(IdentityOperation, { name: 'IdentityOperation' });
registerEnumType(HealthState, {
  name: 'ProviderHealthState',
  description:
    'Passive: from recent real calls, never from probes. CIRCUIT_OPEN: the circuit breaker is open or trying one call; targets fail fast with UNAVAILABLE.',
});
registerEnumType(CircuitState, {
  name: 'CircuitState',
  description:
    "A provider's circuit breaker. CLOSED: calls go through. OPEN: its targets fail fast with UNAVAILABLE, no call. HALF_OPEN: one trial call decides.",
});
registerEnumType(RecordState, { name: 'IdempotencyRecordState' });
registerEnumType(ProviderErrorCode, {
  name: 'ProviderErrorCode',
  description:
    'Why a target failed. RATE_LIMITED, UNAVAILABLE and TIMEOUT are retryable with the same idempotency key, except after a possible create on a provider without a duplicate check of its own: `retryable` on each failure is the answer.',
});

registerEnumType(PlanKeyState, {
  name: 'PlanKeyState',
  description:
    'What the store says of the idempotency key: NEW runs; RETRY runs only the retryable failures; COMPLETED, IN_PROGRESS and REUSED stop the create.',
});
registerEnumType(PlanAction, { name: 'PlanAction', description: 'What a create would do for one target.' });
registerEnumType(GuardState, { name: 'GuardState', description: 'The natural-key guard of a target on its provider.' });

registerEnumType(AuditStatus, { name: 'AuditStatus', description: 'What one create attempt came to: its status, or why the store refused it.' });
registerEnumType(AuditTargetResult, { name: 'AuditTargetResult' });

export { AuditStatus, AuditTargetResult, GuardState, PlanAction, PlanKeyState };
export { AccountStatus, AnswerStatus, CircuitState, CredentialKind, HealthState, IdentityOperation, ProviderErrorCode, RecordState, UserStatus };
