import type { IdempotencyStore, RecordRef } from '../domain';

/**
 * Why a completion's compare-and-set on the owner answered "not yours": another attempt took the record over
 * (a stall past the lease), or the record is not there at all. The second is Redis having lost it (restarted
 * without persistence, a failover that dropped the last writes, eviction): nothing will answer a repeat of
 * the key with this outcome, so the log must not say someone else holds it. Asked only on that rare path.
 */
export async function whyNotRecorded(store: IdempotencyStore, ref: RecordRef): Promise<{ reason: 'taken-over' | 'gone' | 'unknown'; message: string }> {
  try {
    const [record] = await store.get([ref]);
    if (record) return { reason: 'taken-over', message: 'another attempt has taken the record over' };
    return {
      reason: 'gone',
      message:
        'the idempotency record is gone (Redis lost it: a restart without persistence, a failover, or eviction), so a repeat of this key is no longer answered from it; only the natural-key guards this completion kept, if Redis still has them, stop the providers being called again',
    };
  } catch {
    return { reason: 'unknown', message: 'another attempt has taken the record over, or the record is gone (it could not be read)' };
  }
}
