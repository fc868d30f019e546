import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Duplex } from 'node:stream';
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
    timeoutDuration: FETCH_TIMEOUT_MS,
    agent: boundedAgent(new URL(options.url).protocol, (reason) => (cut = reason)),
  });
  // Why the agent last ended a fetch: the fetch itself only fails with "aborted".
  let cut: string | undefined;
  let failedUntil = 0;
  let stale: { text: string; set: JWTVerifyGetKey } | undefined;

  const lastGood = (): JWTVerifyGetKey => {
    const jwks = remote.jwks();
    if (!jwks) throw new JwksUnavailableError(Math.ceil((failedUntil - Date.now()) / 1000));
    // jose hands out a copy each time: compared by content, so the local set (and its key imports) is built once.
    const text = JSON.stringify(jwks);
    if (stale?.text !== text) stale = { text, set: createLocalJWKSet(jwks) };
    return stale.set;
  };

  // jose's timeout covers the response's headers only: a body that stalls would hold every JWT request (they
  // share jose's one pending fetch) for as long as the connection stays open. The agent ends such a fetch
  // (boundedAgent); this deadline, a little later, is what a request waits at most whatever happens there.
  const withDeadline: JWTVerifyGetKey = (header, token) => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new FetchDeadlineError()), JWKS_FETCH_DEADLINE_MS);
    });
    return Promise.race([remote(header, token), deadline]).finally(() => clearTimeout(timer));
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
      return await withDeadline(header, token);
    } catch (err) {
      if (!isFetchFailure(err)) throw err;
      const reason = cut;
      cut = undefined;
      // Requests that waited on the same failed fetch (jose shares one) report it once.
      if (Date.now() >= failedUntil) {
        failedUntil = Date.now() + cooldownMs;
        options.onOutage?.(reason ?? describe(err));
      }
      return fromLastGood(header, token);
    }
  };
}

const FETCH_TIMEOUT_MS = 5000;
/** A key set is a few kilobytes; a provider's answer past this is no key set, and is not read into memory. */
const MAX_JWKS_BYTES = 1_048_576;

/**
 * jose fetches through this agent: one connection per fetch (no keep-alive), destroyed once it has lived
 * FETCH_TIMEOUT_MS or read MAX_JWKS_BYTES. jose's own timeout stops at the headers, and its pending fetch is
 * shared and only replaced once it settles: a body that stalled kept it pending (and every key rotation
 * unseen) for as long as the provider held the connection open. Destroyed, the fetch fails and the next one
 * can start.
 */
function boundedAgent(protocol: string, onCut: (reason: string) => void): HttpAgent {
  const agent = protocol === 'https:' ? new HttpsAgent({ keepAlive: false }) : new HttpAgent({ keepAlive: false });
  const create = agent.createConnection.bind(agent) as (...args: unknown[]) => Duplex;
  agent.createConnection = ((...args: unknown[]) => {
    const socket = create(...args);
    const end = (reason: string) => {
      onCut(reason);
      socket.destroy();
    };
    const timer = setTimeout(() => end(`no complete key set within ${FETCH_TIMEOUT_MS} ms`), FETCH_TIMEOUT_MS);
    let read = 0;
    socket.on('data', (chunk: Buffer) => {
      read += chunk.length;
      if (read > MAX_JWKS_BYTES) end(`the key set answer exceeds ${MAX_JWKS_BYTES} bytes`);
    });
    socket.once('close', () => clearTimeout(timer));
    return socket;
  }) as HttpAgent['createConnection'];
  return agent;
}
/** The longest a request can wait for the key set (jose's timeout, then the body's own deadline). */
export const JWKS_FETCH_DEADLINE_MS = FETCH_TIMEOUT_MS + 500;

class FetchDeadlineError extends Error {
  constructor() {
    super(`no complete key set within ${JWKS_FETCH_DEADLINE_MS} ms`);
  }
}

/**
 * Only what fetching the set can throw: jose's timeout, its "Expected 200 OK" and "Failed to parse" errors, a
 * document that is no key set, our deadline, and a system error of the connection (ECONNREFUSED, ENOTFOUND…
 * with a `syscall`, or a bare E-code). Anything else (a key in the set Node cannot import, a token's own fault) is no outage:
 * counting it would let a token naming a broken key stop every fetch for the cooldown.
 */
function isFetchFailure(err: unknown): boolean {
  if (err instanceof FetchDeadlineError) return true;
  const e = err as { code?: unknown; message?: unknown; syscall?: unknown } | null;
  if (e?.code === 'ERR_JWKS_TIMEOUT' || e?.code === 'ERR_JWKS_INVALID') return true;
  if (e?.code === 'ERR_JOSE_GENERIC') return typeof e.message === 'string' && /JSON Web Key Set HTTP response/.test(e.message);
  // A system error of the connection: a `syscall` (connect, getaddrinfo), or an E-code alone ("socket hang up" is ECONNRESET).
  return typeof e?.syscall === 'string' || (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code));
}

function describe(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const text = typeof e?.message === 'string' && e.message ? e.message : String(e?.code ?? err);
  return text.slice(0, 200);
}
