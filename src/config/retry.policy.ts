/**
 * How often a provider POST may be re-sent. Only a request that provably never
 * left (connection refused) is retried: undici's own retry handler refuses
 * non-idempotent methods for the same reason. Lives in config/ because the
 * start-up checks of `leaseSeconds` and `shutdownGraceMs` need the same numbers as
 * the HTTP client.
 */
export const RETRY_POLICY = Object.freeze({
  maxRetries: 2,
  maxJitterMs: 100,
  /** Connect timeout never exceeds this, so a refused/unreachable host costs little. */
  maxConnectTimeoutMs: 2000,
});

export function connectTimeoutMs(timeoutMs: number): number {
  return Math.min(timeoutMs, RETRY_POLICY.maxConnectTimeoutMs);
}

/** Worst-case wall time of one provider call, retries included. */
export function worstCaseCallMs(timeoutMs: number): number {
  return timeoutMs + RETRY_POLICY.maxRetries * (connectTimeoutMs(timeoutMs) + RETRY_POLICY.maxJitterMs);
}
