import { createLocalJWKSet, createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';

/** The identity provider's key set could not be fetched and no earlier copy can verify the token: no answer on the token itself. */
export class JwksUnavailableError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('JWKS unavailable');
    this.name = 'JwksUnavailableError';
  }
}

export interface JwksOptions {
  readonly url: string;
  readonly cooldownSeconds: number;
  readonly cacheSeconds: number;
  /** Told once per failed fetch (at most once per cooldown): the reason, never a token. */
  readonly onOutage?: (reason: string) => void;
}

/**
 * The JWKS of `jwt.jwksUrl` (docs/security.md), with what jose's remote set does not do when the identity
 * provider fails:
 *
 * - A failed fetch is no verdict on the token. jose's error ("Expected 200 OK", a timeout, a refused
 *   connection) would read as an invalid token (RFC 6750 `invalid_token`: the client throws it away) and
 *   nobody would hear of the outage. It is reported (onOutage) and answered as unavailable instead.
 * - While the provider fails, the last key set fetched keeps verifying the tokens it can: an outage past
 *   the cache's age does not lock out every JWT client.
 * - jose's cooldown starts only after a successful fetch: while the provider fails, every request (a forged
 *   token is enough) fetched again. After a failure nothing is fetched for the cooldown.
 */
export function jwksKeySet(options: JwksOptions): JWTVerifyGetKey {
  const cooldownMs = Math.max(options.cooldownSeconds, 1) * 1000;
  const remote = createRemoteJWKSet(new URL(options.url), {
    // An unknown `kid` triggers a re-fetch (rotation), but no more often than the cooldown.
    cooldownDuration: options.cooldownSeconds * 1000,
    cacheMaxAge: options.cacheSeconds * 1000,
    timeoutDuration: 5000,
  });
  let failedUntil = 0;
  let stale: { jwks: object; set: JWTVerifyGetKey } | undefined;

  const lastGood = (): JWTVerifyGetKey => {
    const jwks = remote.jwks();
    if (!jwks) throw new JwksUnavailableError(Math.ceil((failedUntil - Date.now()) / 1000));
    if (stale?.jwks !== jwks) stale = { jwks, set: createLocalJWKSet(jwks) };
    return stale.set;
  };

  // A kid the last good set lacks may be a key rotated in during the outage: not the token's fault either.
  const fromLastGood: JWTVerifyGetKey = async (header, token) => {
    try {
      return await lastGood()(header, token);
    } catch (err) {
      if ((err as { code?: unknown })?.code === 'ERR_JWKS_NO_MATCHING_KEY') throw new JwksUnavailableError(Math.ceil((failedUntil - Date.now()) / 1000));
      throw err;
    }
  };

  return async (header, token) => {
    if (Date.now() < failedUntil) return fromLastGood(header, token);
    try {
      return await remote(header, token);
    } catch (err) {
      if (!isFetchFailure(err)) throw err;
      // Requests that waited on the same failed fetch (jose shares one) report it once.
      if (Date.now() >= failedUntil) {
        failedUntil = Date.now() + cooldownMs;
        options.onOutage?.(describe(err));
      }
      return fromLastGood(header, token);
    }
  };
}

/** jose's own verdicts on a token or key carry codes ERR_JWS_*, ERR_JWT_*, ERR_JWKS_*_MATCHING_KEY(S)…; a fetch's failure does not. */
function isFetchFailure(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (code === 'ERR_JWKS_TIMEOUT' || code === 'ERR_JWKS_INVALID' || code === 'ERR_JOSE_GENERIC') return true;
  return typeof code !== 'string' || !code.startsWith('ERR_J');
}

function describe(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const text = typeof e?.message === 'string' && e.message ? e.message : String(e?.code ?? err);
  return text.slice(0, 200);
}
