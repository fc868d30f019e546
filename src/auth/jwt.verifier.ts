import { createPublicKey, type KeyObject } from 'node:crypto';
import { jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { JwtConfig } from '../config/security.schema';
import { SCOPES } from '../config/security.schema';
import { ServiceUnavailableError, UnauthenticatedError } from '../errors/gateway.error';
import { jwksKeySet, JwksUnavailableError } from './jwks.keyset';

export type Scope = (typeof SCOPES)[number];

/** Three base64url segments: how a bearer token is told apart from an API key. */
const JWT_SHAPE = /^[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*$/;
const CLIENT_ID = /^[\x21-\x7e]{1,200}$/;

export function looksLikeJwt(token: string): boolean {
  return JWT_SHAPE.test(token);
}

export interface VerifiedToken {
  readonly clientId: string;
  readonly scopes: readonly Scope[];
  readonly claims: JWTPayload;
}

/**
 * Verifies bearer JWTs with jose. Only the configured asymmetric algorithms
 * are accepted, so neither `alg: none` nor an HMAC token "signed" with the
 * public key can pass; issuer, audience and expiry are required.
 */
export class JwtVerifier {
  private readonly key: JWTVerifyGetKey | KeyObject;

  constructor(
    private readonly config: JwtConfig,
    onJwksOutage?: (reason: string) => void,
  ) {
    this.key = config.jwksUrl
      ? jwksKeySet({ url: config.jwksUrl, cooldownSeconds: config.jwksCooldownSeconds, cacheSeconds: config.jwksCacheSeconds, onOutage: onJwksOutage })
      : createPublicKey(config.publicKey!);
  }

  async verify(token: string): Promise<VerifiedToken> {
    let payload: JWTPayload;
    try {
      const options = {
        issuer: this.config.issuer,
        audience: this.config.audience,
        algorithms: this.config.algorithms,
        clockTolerance: this.config.clockToleranceSeconds,
        requiredClaims: ['exp', this.config.clientIdClaim],
      };
      // jose's overloads differ only in the key's type.
      payload = (typeof this.key === 'function' ? await jwtVerify(token, this.key, options) : await jwtVerify(token, this.key, options)).payload;
    } catch (err) {
      if (err instanceof JwksUnavailableError) {
        throw new ServiceUnavailableError(
          "The token could not be checked: the identity provider's key set (jwt.jwksUrl) is unreachable. Nothing was done; retry later with the same token.",
          { retryAfterSeconds: Math.max(err.retryAfterSeconds, 1) },
        );
      }
      // The reason (expired, wrong audience, bad signature…) helps the caller fix a token and tells an attacker nothing new.
      throw new UnauthenticatedError(`The token is not valid: ${reason(err)}.`, true);
    }
    const clientId = payload[this.config.clientIdClaim];
    if (typeof clientId !== 'string' || !CLIENT_ID.test(clientId)) {
      throw new UnauthenticatedError(`The token's ${this.config.clientIdClaim} claim must be 1–200 printable ASCII characters.`, true);
    }
    return { clientId, scopes: scopesOf(payload[this.config.scopeClaim]), claims: payload };
  }
}

function scopesOf(claim: unknown): Scope[] {
  const raw = typeof claim === 'string' ? claim.split(/\s+/) : Array.isArray(claim) ? claim : [];
  return SCOPES.filter((s) => raw.includes(s));
}

function reason(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return `claim ${(err as { claim?: string }).claim ?? ''} is not acceptable`.replace(/ {2}/, ' ');
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'algorithm not allowed';
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'no key matches its kid';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'bad signature';
    default:
      return 'malformed or unverifiable';
  }
}
