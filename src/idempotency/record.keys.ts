import { createHash, randomBytes } from 'node:crypto';
import type { GuardRef, RecordRef } from '../domain';

/**
 * Key names are hashes: nothing a client sends (keys, e-mails, names) appears
 * in Redis key names, and `{...}` hash tags keep a record and its lease in one
 * Redis Cluster slot.
 */
export function recordId(ref: RecordRef): string {
  return sha256(`${ref.clientId}\u0000${ref.operation}\u0000${ref.key}`);
}

export function guardId(operation: string, guard: GuardRef): string {
  return sha256(`${operation}\u0000${guard.providerId}\u0000${guard.naturalKey}`);
}

export function newOwnerToken(): string {
  return randomBytes(16).toString('hex');
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 40);
}
