import type { ServerResponse } from 'node:http';
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

/** Something the client should know that is no error (`extensions.warnings` of the answer). */
export interface ResponseWarning {
  readonly code: string;
  readonly message: string;
  readonly path?: readonly (string | number)[];
  readonly [detail: string]: unknown;
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
  /** Warnings for this answer's `extensions.warnings` (response-warnings.plugin.ts). */
  readonly warnings: readonly ResponseWarning[];
  warn(warning: ResponseWarning): void;
  /** Create fields of this request answered with `dryRun: true`: metrics count a request of dry runs only as a dry run. */
  dryRuns: number;
  /** Runs `lost` once if the HTTP answer of this request is never written whole: the client went away first. */
  onAnswerLost(lost: () => void): void;
}

export function createContext(args: {
  requestId: string;
  client: ClientIdentity;
  identity: IdentityService;
  logger: Logger;
  idempotencyKeyHeaders?: readonly string[];
  policy?: TargetPolicy;
  /** The HTTP answer, watched only when a resolver asks (onAnswerLost). */
  response?: ServerResponse;
}): GatewayContext {
  return new RequestContext(args);
}

/**
 * A class, not an object literal: Apollo copies the context's own properties
 * into a clone of each request's context, which would call a getter on the
 * object itself; on the prototype, the loader stays lazy through the copy.
 */
class RequestContext implements GatewayContext {
  readonly requestId: string;
  readonly client: ClientIdentity;
  readonly identity: IdentityService;
  readonly logger: Logger;
  readonly caller: Caller;
  dryRuns = 0;
  private loaderCache: GatewayContext['loaders'] | undefined = undefined;
  private warningList: ResponseWarning[] | undefined = undefined;
  private readonly response: ServerResponse | undefined;

  constructor(args: Parameters<typeof createContext>[0]) {
    const { requestId, client, identity, idempotencyKeyHeaders, policy, response } = args;
    this.response = response;
    this.requestId = requestId;
    this.client = client;
    this.identity = identity;
    this.logger = args.logger.child({ requestId, clientId: client.id });
    this.caller = { clientId: client.id, requestId, logger: this.logger, idempotencyKeyHeaders, policy };
  }

  /** Only a request that reads records needs its loader; a create never does. */
  get loaders(): GatewayContext['loaders'] {
    const { identity, client } = this;
    return (this.loaderCache ??= {
      idempotencyRecord: new DataLoader<RecordKey, StoredRecord | null, string>((keys) => identity.getRecords(client.id, keys), {
        cacheKeyFn: (k) => `${k.operation}\u0000${k.key}`,
      }),
    });
  }

  get warnings(): readonly ResponseWarning[] {
    return this.warningList ?? [];
  }

  warn(warning: ResponseWarning): void {
    (this.warningList ??= []).push(warning);
  }

  onAnswerLost(lost: () => void): void {
    const res = this.response;
    if (!res) return;
    // Closed already (the client left while providers were called): no answer will be written.
    if (res.closed) return void setImmediate(lost);
    res.once('close', () => {
      if (!res.writableFinished) lost();
    });
  }

  requireScope(scope: Scope): void {
    if (!this.client.scopes.includes(scope)) throw new ForbiddenError(scope);
  }
}
