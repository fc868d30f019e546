/**
 * The shared vocabulary: every layer imports it from here, and it imports no
 * other layer. Add exports with intention.
 */
export * from './operation.enum';
export * from './status.enum';
export * from './provider-error-code.enum';
export * from './identity.spec';
export * from './identity.outcome';
export * from './input.rules';
export * from './provider.adapter';
export * from './idempotency.store';
export * from './create.plan';
export * from './audit.event';
export * from './identity.events';
export * from './target.policy';
