import DataLoader from 'dataloader';
import type { Logger } from 'pino';
import type { ClientIdentity, Scope } from './auth/client.authenticator';
import { ForbiddenError } from './errors/gateway.error';
import type { Caller, IdentityService } from './identity/identity.service';
import type { Operation, StoredRecord, TargetPolicy } from './domain';

export interface RecordKey {
  readonly key: string;
  readonly operation: Operation;
}

export interface GatewayContext {
  readonly requestId: string;
  readonly client: ClientIdentity;
  readonly caller: Caller;
  readonly identity: IdentityService;
  readonly logger: Logger;
  /** Per-request loaders: one store round trip for every record looked up in a request. */
  readonly loaders: { readonly idempotencyRecord: DataLoader<RecordKey, StoredRecord | null, string> };
  requireScope(scope: Scope): void;
}

export function createContext(args: {
  requestId: string;
  client: ClientIdentity;
  identity: IdentityService;
  logger: Logger;
  idempotencyKeyHeaders?: readonly string[];
  policy?: TargetPolicy;
}): GatewayContext {
  const { requestId, client, identity, idempotencyKeyHeaders, policy } = args;
  const logger = args.logger.child({ requestId, clientId: client.id });
  let loaders: GatewayContext['loaders'] | undefined;
  return {
    requestId,
    client,
    identity,
    logger,
    caller: { clientId: client.id, requestId, logger, idempotencyKeyHeaders, policy },
    // Only a request that reads records needs its loader; a create never does.
    get loaders() {
      return (loaders ??= {
        idempotencyRecord: new DataLoader<RecordKey, StoredRecord | null, string>((keys) => identity.getRecords(client.id, keys), {
          cacheKeyFn: (k) => `${k.operation}\u0000${k.key}`,
        }),
      });
    },
    requireScope(scope: Scope) {
      if (!client.scopes.includes(scope)) throw new ForbiddenError(scope);
    },
  };
}
