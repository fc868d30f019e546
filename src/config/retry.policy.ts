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

/** Slack for a loaded event loop between the claim and a provider call (scheduling, CPU). */
export const LEASE_SLACK_MS = 500;

/**
 * One attempt's budget: a provider call's worst case, three Redis command timeouts and LEASE_SLACK_MS. Two
 * settings must exceed it (checked at start, config.schema.ts):
 *
 * - `idempotency.leaseSeconds`: the lease starts at the claim, and before a provider call come the claim's and
 *   the guards' Redis round trips (and a contested guard's lease check), each bounded by `commandTimeoutMs`,
 *   then the call. A lease that covered only the call could run out under a live attempt, and a retry would
 *   take the record over and call the providers again.
 * - `server.shutdownGraceMs`: on SIGTERM no create starts a provider call any more (one that claimed but has
 *   not called gives its claim back), but one already calling runs for up to its worst case, and then records
 *   its outcome, a round trip that may meet a stalled connection (its wait for the connection and the
 *   command's own timeout), before its answer, which may hold the only copy of a one-time credential, is
 *   written. The drain cuts connections once the grace is over.
 */
export function attemptBudgetMs(timeoutMs: number, redisCommandTimeoutMs: number | undefined): number {
  return worstCaseCallMs(timeoutMs) + 3 * (redisCommandTimeoutMs ?? 0) + LEASE_SLACK_MS;
}
