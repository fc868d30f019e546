import type { AuditEvent } from '../../src/domain';

/** An audit event for store tests that do not look at the trail. */
export const AUDIT: AuditEvent = Object.freeze({
  at: new Date(0).toISOString(),
  requestId: 'r',
  clientId: 'client-a',
  operation: 'createServiceAccount',
  idempotencyKey: 'k',
  status: 'SUCCEEDED',
  targets: [],
});
