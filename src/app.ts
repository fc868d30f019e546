import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { Logger } from 'pino';
import { ClientAuthenticator, type ClientIdentity } from './auth/client.authenticator';
import type { GatewayConfig } from './config/config.loader';
import { createContext, type GatewayContext } from './context';
import { addRequestId, formatError, formatErrorWithoutSuggestions } from './errors/error.formatter';
import { logUnexpected, requestErrorsPlugin } from './errors/request-errors.plugin';
import { maxCreatesRule } from './graphql/common/max-creates.rule';
import { noSubscriptionsRule } from './graphql/common/no-subscriptions.rule';
import type { IdempotencyStore } from './domain';
import { createIdempotencyStore } from './idempotency/store.factory';
import { IdentityService } from './identity/identity.service';
import { graphqlMetricsPlugin } from './observability/graphql-metrics.plugin';
import { GatewayMetrics } from './observability/metrics.registry';
import { createLogger } from './observability/pino.logger';
import { ProviderHealthBook } from './identity/provider-health.book';
import type { ProviderModule } from './providers/provider.module';
import { PROVIDER_MODULES, ProviderRegistry } from './providers/provider.registry';
import { gatewaySchema } from './schema';
import { graphqlHandler, type NodeHandler } from './server/graphql.handler';
import { PolicyBook } from './auth/client.policy';
import { JWKS_FETCH_DEADLINE_MS } from './auth/jwks.keyset';
import { createCorsPolicy } from './server/cors.policy';
import { requestIdOf } from './server/http.error';
import { parseLimits, queryLimitRules } from './server/query.limits';
import { authenticateFromHeaders, authRefusalReason, checkBodyShape, checkLoopbackOnly, idleSocketTimeoutMs } from './server/request.guard';
import { variableShapePlugin } from './server/variable-shape.plugin';
import { createHttpServer, type Readiness } from './server/http.server';
import { createPlaygroundRoutes } from './server/playground.routes';
import { httpStatusPlugin } from './server/http-status.plugin';
import { responseWarningsPlugin } from './server/response-warnings.plugin';

export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  readonly store: IdempotencyStore;
  readonly logger: Logger;
  /** Stops accepting, lets in-flight requests finish (bounded), closes the store and pools. */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly logger?: Logger;
  /** The provider kinds this gateway speaks; the config must have been resolved with the same list. */
  readonly modules?: readonly ProviderModule[];
}

/** The gateway: config → store, providers, identity service, GraphQL, HTTP. */
export async function startGateway(config: GatewayConfig, options: StartOptions = {}): Promise<RunningGateway> {
  const logger = options.logger ?? createLogger();
  const { store, hmacKey } = createIdempotencyStore(config, logger);
  const modules = options.modules ?? PROVIDER_MODULES;
  const registry = ProviderRegistry.fromConfig(config, modules);
  // One metrics registry per gateway; the identity service reports through its event port (domain/identity.events.ts).
  const metrics = new GatewayMetrics(registry.adapters, { debugGc: process.env.IDGW_DEBUG_GC === '1' });
  const identity = new IdentityService({
    events: metrics,
    kinds: modules,
    adapters: registry.adapters,
    store,
    health: new ProviderHealthBook(),
    hmacKey,
    maxTargets: config.server.maxTargetsPerMutation,
  });
  const authenticator = new ClientAuthenticator(config, {
    // At most once per jwksCooldownSeconds while it lasts (jwks.keyset.ts): JWT clients get 503 meanwhile.
    onJwksOutage: (reason) =>
      logger.warn({ jwksUrl: config.jwt?.jwksUrl, reason }, 'JWKS unreachable: JWTs the last key set cannot verify are answered 503 until it can be fetched'),
  });
  const policies = new PolicyBook(config.providers, modules);
  if (!authenticator.enabled) {
    logger.warn(
      'NO AUTHENTICATION: no `clients` or `jwt` configured; every caller is "anonymous" with all scopes. Listening on loopback only; only a loopback Host is answered, and only a loopback Origin or one listed in server.cors.origins.',
    );
  } else if (store.kind === 'memory') {
    logger.warn(
      'Authentication (`clients` or `jwt`) is configured without `redis`: idempotency records live in this one process only, so replicas or a restart will not see them. Configure redis for any shared deployment.',
    );
  }

  let draining = false;
  const corsOrigins: ReadonlySet<string> = new Set(config.server.cors.origins);
  // What the headers settled for a request, handed to its context; weak, so nothing outlives the request.
  const admitted = new WeakMap<IncomingMessage, { requestId: string; client: ClientIdentity }>();
  // Built once: the bridge holds nothing per request, and Apollo is started before the first one arrives.
  const handle = graphqlHandler<GatewayContext>(
    {
      executeHTTPGraphQLRequest: (args) => apollo.executeHTTPGraphQLRequest(args),
    },
    {
      maxBodyBytes: config.server.maxBodyBytes,
      inspectBody: (body) => checkBodyShape(body, config.server.limits),
      errorBody: (body, res) => addRequestId(body, requestIdOf(res)),
      // Answers carry one-time credentials and per-caller data, refusals a request id: no cache may keep any.
      cacheControl: 'no-store',
      // graphql-js 16 answers every operation with a single result: an Accept without JSON is refused before anything runs.
      singleResultsOnly: true,
      context: async ({ req, res }) => {
        const { requestId, client } = admitted.get(req)!;
        try {
          return createContext({
            requestId,
            client,
            identity,
            logger,
            idempotencyKeyHeaders: req.headersDistinct['idempotency-key'],
            policy: policies.forClient(client.policy),
            response: res,
          });
        } catch (err) {
          // Apollo masks it as "Context creation failed" without running a plugin: the log is here.
          logUnexpected(logger.child({ requestId, clientId: client.id }), err);
          throw err;
        }
      },
    },
  );
  const graphql: NodeHandler = async (req, res) => {
    // Who may ask is settled from the headers, before one byte of the body is read (docs/security.md).
    checkLoopbackOnly(req, authenticator.enabled, corsOrigins);
    let client: ClientIdentity;
    try {
      client = await authenticateFromHeaders(req, (authorization) => authenticator.authenticate(authorization));
    } catch (err) {
      const reason = authRefusalReason(err);
      if (reason) metrics.authRefused(reason);
      throw err;
    }
    admitted.set(req, { requestId: requestIdOf(res) ?? randomUUID(), client });
    return handle(req, res);
  };
  // Requests reach `graphql` only once the server listens, after `apollo` has started.
  const server = createHttpServer({
    logger,
    graphql,
    readiness: () => readiness(store),
    draining: () => draining,
    limits: {
      ...config.server,
      idleSocketTimeoutMs: idleSocketTimeoutMs({
        leaseSeconds: config.idempotency.leaseSeconds,
        redisCommandTimeoutMs: config.redis?.commandTimeoutMs,
        authWaitMs: config.jwt?.jwksUrl ? JWKS_FETCH_DEADLINE_MS : 0,
        requestTimeoutMs: config.server.requestTimeoutMs,
      }),
    },
    metrics,
    cors: createCorsPolicy(config.server.cors.origins),
    playground: createPlaygroundRoutes({
      enabled: config.server.playground && config.server.introspection,
      authRequired: authenticator.enabled,
      providerIds: config.providers.map((p) => p.id),
    }),
    authRequired: authenticator.enabled,
  });

  const apollo = new ApolloServer<GatewayContext>({
    schema: await gatewaySchema(modules),
    introspection: config.server.introspection,
    includeStacktraceInErrorResponses: false,
    // "Did you mean …" suggestions would reveal the schema that switching introspection off hides.
    hideSchemaDetailsFromClientErrors: !config.server.introspection,
    validationRules: [noSubscriptionsRule, maxCreatesRule(config.server.maxCreatesPerOperation), ...queryLimitRules(config.server.limits)],
    // The token cap stops a huge document in the parser, before any rule walks it.
    parseOptions: parseLimits(config.server.limits),
    allowBatchedHttpRequests: false,
    stopOnTerminationSignals: false,
    csrfPrevention: true,
    formatError: config.server.introspection ? formatError : formatErrorWithoutSuggestions,
    plugins: [
      requestErrorsPlugin(),
      variableShapePlugin(),
      httpStatusPlugin(),
      responseWarningsPlugin(),
      graphqlMetricsPlugin(metrics),
      ApolloServerPluginLandingPageDisabled(),
      // The schema has no cache hints, so Apollo's plugin only ever computed `no-store` (graphql.handler.ts sets it),
      // at the price of wrapping every resolver of every request (docs/performance.md).
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer: server, stopGracePeriodMillis: config.server.shutdownGraceMs }),
    ],
    logger: { debug: () => undefined, info: () => undefined, warn: (m) => logger.warn(String(m)), error: (m) => logger.error(String(m)) },
  });
  await apollo.start();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.server.port, config.server.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  const url = `http://${host}:${port}/graphql`;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // Completions the store refused are tried until the grace is over (counted from here, as the orchestrator
      // counts it), less one try's worst case (a stalled connection's wait and the command's own timeout), so the
      // last try ends within the grace.
      const deadline = Date.now() + config.server.shutdownGraceMs - 2 * (config.redis?.commandTimeoutMs ?? 0);
      draining = true;
      identity.beginShutdown();
      // The drain plugin runs first in stop(): in-flight requests finish, within the grace period, before Apollo stops.
      await apollo.stop();
      // Creates whose client went away are no request the drain waits for: they finish here, recorded.
      await identity.settle();
      await identity.flushCompletions(deadline);
      await Promise.all([store.close(), registry.close()]);
    })());

  return { url, port, store, logger, close };
}

async function readiness(store: IdempotencyStore): Promise<Readiness> {
  try {
    await store.ping();
    return { ready: true, body: { status: 'ready', store: store.kind } };
  } catch {
    return { ready: false, body: { status: 'unavailable', store: store.kind, reason: 'idempotency store unreachable' } };
  }
}
