import { createHmac, hash } from 'node:crypto';
import { SECRET_FIELDS } from '../domain';

/**
 * SHA-256 of the canonical input: object keys sorted, absent and null fields
 * dropped, secrets replaced by their HMAC under the replicas' shared key, so
 * neither the fingerprint nor anything derived from it can reveal a secret.
 */
export function fingerprint(value: unknown, hmacKey: string): string {
  return hash('sha256', canonicalJson(value, hmacKey), 'hex');
}

/**
 * A derived idempotency key: an HMAC, so no caller can compute another caller's key in advance, and one
 * that names the client, so no caller can reproduce another's either. A derived key is shown to auditors
 * and in logs, and depends on every field, passwords included: without the client in it, any client could
 * confirm a guessed password by planning the same input and comparing keys.
 */
export function derivedKey(print: string, clientId: string, hmacKey: string): string {
  return `derived:${createHmac('sha256', hmacKey).update(`derived-key\u0000${clientId}\u0000${print}`).digest('hex')}`;
}

export function canonicalJson(value: unknown, hmacKey: string): string {
  return JSON.stringify(canonical(value, hmacKey, false));
}

function isEmptyObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
}

function canonical(value: unknown, hmacKey: string, secret: boolean): unknown {
  if (secret && typeof value === 'string') return `hmac:${createHmac('sha256', hmacKey).update(value).digest('hex')}`;
  if (Array.isArray(value)) return value.map((v) => canonical(v, hmacKey, secret));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v === undefined || v === null) continue;
      const c = canonical(v, hmacKey, SECRET_FIELDS.has(k));
      // An object left empty (`hoop: {subject: null}`, `hoop: {}`) asks for nothing: the same as leaving it out.
      if (isEmptyObject(c)) continue;
      out[k] = c;
    }
    return out;
  }
  return value;
}
