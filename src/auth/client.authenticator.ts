import { hash, timingSafeEqual } from 'node:crypto';
import type { GatewayConfig } from '../config/config.loader';
import { SCOPES, type ClientPolicyConfig } from '../config/security.schema';
import { UnauthenticatedError } from '../errors/gateway.error';
import { JwtVerifier, looksLikeJwt, type Scope } from './jwt.verifier';

export type { Scope } from './jwt.verifier';

export interface ClientIdentity {
  readonly id: string;
  readonly scopes: readonly Scope[];
  /** How the client proved who it is. */
  readonly via: 'anonymous' | 'api-key' | 'jwt';
  /** What it may ask providers for; undefined: not limited beyond its scopes (docs/security.md). */
  readonly policy?: ClientPolicyConfig;
}

export const ANONYMOUS: ClientIdentity = Object.freeze({ id: 'anonymous', scopes: Object.freeze([...SCOPES]), via: 'anonymous' as const });

/**
 * API-key clients (the config holds only SHA-256 digests, compared in
 * constant time) and JWT clients. Without either every caller is
 * `anonymous` (the config schema allows that on loopback only). Reads
 * headers only, so a request is refused before its body is read.
 */
export class ClientAuthenticator {
  private readonly clients: ReadonlyArray<{ id: string; digest: Buffer; scopes: readonly Scope[]; policy?: ClientPolicyConfig }> | undefined;
  private readonly jwt: JwtVerifier | undefined;
  private readonly jwtConfig: GatewayConfig['jwt'];

  constructor(config: Pick<GatewayConfig, 'clients' | 'jwt'>, options: { readonly onJwksOutage?: (reason: string) => void } = {}) {
    this.clients = config.clients?.map((c) => ({ id: c.id, digest: Buffer.from(c.keySha256, 'hex'), scopes: c.scopes, policy: c.policy }));
    this.jwtConfig = config.jwt;
    this.jwt = config.jwt && new JwtVerifier(config.jwt, options.onJwksOutage);
  }

  get enabled(): boolean {
    return this.clients !== undefined || this.jwt !== undefined;
  }

  async authenticate(authorization: string | undefined): Promise<ClientIdentity> {
    if (!this.enabled) return ANONYMOUS;
    const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
    if (!match) throw new UnauthenticatedError(undefined, authorization !== undefined);
    const token = match[1];
    // An API key may have a JWT's shape (three dot-separated base64url parts): the key digests are asked first.
    const client = this.apiKeyClient(token);
    if (client) return client;
    if (this.jwt && looksLikeJwt(token)) return this.fromJwt(token);
    throw new UnauthenticatedError(this.clients ? 'The API key is not valid.' : 'The token is not valid.', true);
  }

  private apiKeyClient(key: string): ClientIdentity | undefined {
    if (!this.clients) return undefined;
    const digest = hash('sha256', key, 'buffer');
    let found: ClientIdentity | undefined;
    // Compare against every client so timing does not reveal which one matched.
    for (const c of this.clients) {
      if (timingSafeEqual(digest, c.digest) && !found) found = { id: c.id, scopes: c.scopes, via: 'api-key', policy: c.policy };
    }
    return found;
  }

  private async fromJwt(token: string): Promise<ClientIdentity> {
    const verified = await this.jwt!.verify(token);
    // Records are scoped by client id: a subject `anonymous` would share the records of unauthenticated
    // callers of any deployment on the same Redis and prefix.
    if (verified.clientId === ANONYMOUS.id) throw new UnauthenticatedError("The token's subject is reserved (anonymous).", true);
    // The client id scopes idempotency records: a subject equal to an API-key client's id would read and collide with that client's records.
    if (this.clients?.some((c) => c.id === verified.clientId)) {
      throw new UnauthenticatedError("The token's subject is reserved for an API-key client.", true);
    }
    const cfg = this.jwtConfig!;
    const entry = cfg.policies.find((p) =>
      p.subject !== undefined
        ? p.subject === verified.clientId
        : claimMatches(verified.claims[p.claim!.name], p.claim!.value, SPACE_DELIMITED.has(p.claim!.name) || p.claim!.name === cfg.scopeClaim),
    );
    const policy = entry ? { providers: entry.providers, allow: entry.allow } : cfg.defaultPolicy;
    return { id: verified.clientId, scopes: verified.scopes, via: 'jwt', policy };
  }
}

/** Claims whose string form is a space-separated list by definition (OAuth `scope`, RFC 8693; Azure AD's `scp`). */
const SPACE_DELIMITED: ReadonlySet<string> = new Set(['scope', 'scp']);

/**
 * The claim is the value, or a list holding it: a JSON array, or for a space-delimited claim (SPACE_DELIMITED
 * and the configured scopeClaim) one of its words. Never a word inside any other string: a free-text claim
 * (`team: "not platform"`) would otherwise get the policy of `platform`.
 */
function claimMatches(claim: unknown, value: string, spaceDelimited: boolean): boolean {
  if (claim === value) return true;
  if (Array.isArray(claim)) return claim.includes(value);
  return spaceDelimited && typeof claim === 'string' && claim.split(' ').includes(value);
}
