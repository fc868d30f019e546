import { SECRET_FIELDS } from '../domain';

/**
 * The one boundary where GraphQL input becomes a spec. GraphQL allows an
 * explicit `null` in every nullable input field: it means the same as leaving
 * the field out. Text is NFC-normalised and trimmed, so `café` typed in NFC,
 * in NFD or with a stray space names one account, in validation, in
 * natural-key guards and in the idempotency fingerprint alike. Secrets are
 * left exactly as sent.
 */
export function normalizeInput<T>(value: T): T {
  return normalize(value, false) as T;
}

function normalize(value: unknown, secret: boolean): unknown {
  if (typeof value === 'string') return secret ? value : value.normalize('NFC').trim();
  if (Array.isArray(value)) return value.filter((v) => v !== null && v !== undefined).map((v) => normalize(v, secret));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === null || v === undefined) continue;
      out[k] = normalize(v, SECRET_FIELDS.has(k));
    }
    return out;
  }
  return value;
}
