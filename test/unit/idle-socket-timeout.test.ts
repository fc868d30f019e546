import { JWKS_FETCH_DEADLINE_MS } from '../../src/auth/jwks.keyset';
import { REFUSAL_LINGER_MS } from '../../src/server/client-error.handler';
import { idleSocketTimeoutMs } from '../../src/server/request.guard';

/** A connection silent for this long is closed: it must never cut a request the gateway is still working on. */
describe('the silent-connection timeout', () => {
  const base = { leaseSeconds: 30, redisCommandTimeoutMs: 500, authWaitMs: 0, requestTimeoutMs: 10_000 };

  it('is 33 s with the defaults (lease 30 s, Redis commands 500 ms, requestTimeoutMs 30 s)', () => {
    expect(idleSocketTimeoutMs({ ...base, requestTimeoutMs: 30_000 })).toBe(33_000);
  });

  it('outlasts the longest create: its lease, the outcome written after it, and slack', () => {
    expect(idleSocketTimeoutMs(base)).toBe(32_000);
    expect(idleSocketTimeoutMs({ ...base, redisCommandTimeoutMs: undefined })).toBe(31_000);
  });

  it("adds a JWT's wait for its key set, which comes before the create and sends nothing either", () => {
    expect(idleSocketTimeoutMs({ ...base, authWaitMs: JWKS_FETCH_DEADLINE_MS })).toBe(32_000 + JWKS_FETCH_DEADLINE_MS);
  });

  it('leaves a request still arriving to its own deadline and its 408 (with the linger to read it)', () => {
    const slow = { ...base, leaseSeconds: 5, requestTimeoutMs: 20_000 };
    expect(idleSocketTimeoutMs(slow)).toBe(20_000 + REFUSAL_LINGER_MS + 1000);
    expect(idleSocketTimeoutMs(slow)).toBeGreaterThan(slow.requestTimeoutMs);
  });
});
