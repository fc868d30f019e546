import { createHash, timingSafeEqual } from 'node:crypto';
import type { GatewayConfig } from '../config/config.loader';
import { UnauthenticatedError } from '../errors/gateway.error';

export type Scope = 'identity:read' | 'identity:write' | 'identity:audit';

export interface ClientIdentity {
  readonly id: string;
  readonly scopes: readonly Scope[];
}

export const ANONYMOUS: ClientIdentity = Object.freeze({ id: 'anonymous', scopes: Object.freeze(['identity:read', 'identity:write'] as Scope[]) });

/**
 * API-key clients: the config holds only SHA-256 digests, compared in
 * constant time. Without `clients` every caller is `anonymous` (the config
 * schema allows that on loopback only). JWT clients plug in here later.
 */
export class ClientAuthenticator {
  private readonly clients: ReadonlyArray<{ id: string; digest: Buffer; scopes: readonly Scope[] }> | undefined;

  constructor(config: Pick<GatewayConfig, 'clients'>) {
    this.clients = config.clients?.map((c) => ({ id: c.id, digest: Buffer.from(c.keySha256, 'hex'), scopes: c.scopes }));
  }

  get enabled(): boolean {
    return this.clients !== undefined;
  }

  authenticate(authorization: string | undefined): ClientIdentity {
    if (!this.clients) return ANONYMOUS;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) throw new UnauthenticatedError();
    const digest = createHash('sha256').update(match[1]).digest();
    let found: ClientIdentity | undefined;
    // Compare against every client so timing does not reveal which one matched.
    for (const c of this.clients) {
      if (timingSafeEqual(digest, c.digest) && !found) found = { id: c.id, scopes: c.scopes };
    }
    if (!found) throw new UnauthenticatedError('The API key is not valid.');
    return found;
  }
}
