import { randomBytes } from 'node:crypto';
import type { GatewayConfig } from '../config/config.loader';
import type { IdempotencyStore } from '../domain';
import type { RedisEventLog } from './redis.client';
import { MemoryIdempotencyStore } from './memory.store';
import { RedisIdempotencyStore } from './redis.store';

/** Redis when configured (its outages and recoveries logged to `logger`); otherwise the single-process memory store, with a per-process HMAC key. */
export function createIdempotencyStore(config: GatewayConfig, logger?: RedisEventLog): { store: IdempotencyStore; hmacKey: string } {
  const timing = config.idempotency;
  if (config.redis) {
    return {
      store: new RedisIdempotencyStore({ ...timing, ...config.redis, audit: config.audit, logger }),
      hmacKey: config.idempotencyHmacKey!,
    };
  }
  return {
    store: new MemoryIdempotencyStore({ ...timing, maxRecords: timing.memoryMaxRecords, audit: config.audit }),
    hmacKey: config.idempotencyHmacKey ?? randomBytes(32).toString('hex'),
  };
}
