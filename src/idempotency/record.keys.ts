import { hash, randomFillSync } from 'node:crypto';
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

const TOKEN_BYTES = 16;
const POOL_TOKENS = 256;
const pool = Buffer.alloc(TOKEN_BYTES * POOL_TOKENS);
let next = POOL_TOKENS;

/**
 * 16 random bytes, hex. Drawn from a pool refilled every 256 tokens: one call
 * into the CSPRNG per token cost as much as the rest of a claim. Each token's
 * bytes are handed out once.
 */
export function newOwnerToken(): string {
  if (next === POOL_TOKENS) {
    randomFillSync(pool);
    next = 0;
  }
  const start = TOKEN_BYTES * next++;
  return pool.toString('hex', start, start + TOKEN_BYTES);
}

function sha256(s: string): string {
  // One-shot: no Hash object per key name (a few per mutation).
  return hash('sha256', s, 'hex').slice(0, 40);
}
