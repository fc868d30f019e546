import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { Logger } from 'pino';
import { ClientAuthenticator } from './auth/client.authenticator';
import type { GatewayConfig } from './config/config.loader';
import { createContext, type GatewayContext } from './context';
import { maxCreatesRule } from './graphql/common/max-creates.rule';
import { HTTP_STATUS_BY_CODE } from './errors/error-code.enum';
import { createFormatError, requestScope } from './errors/error.formatter';
import { IdentityService } from './identity/identity.service';
import type { IdempotencyStore } from './domain';
import { createIdempotencyStore } from './idempotency/store.factory';
import { ProviderHealthBook } from './identity/provider-health.book';
import { PROVIDER_MODULES, ProviderRegistry } from './providers/provider.registry';
import type { ProviderModule } from './providers/provider.module';
import { createLogger } from './observability/pino.logger';
import { gatewaySchema } from './schema';
import { landingPage } from './landing.page';
// security (issue 10): auth before body, loopback-only no-auth mode, connection caps, query limits, client policies
import { PolicyBook } from './auth/client.policy';
import { applyConnectionLimits, authenticateFromHeaders, checkBodyShape, checkLoopbackOnly, HttpRefusal, serverOptions } from './server/request.guard';
import { parseLimits, queryLimitRules } from './server/query.limits';

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

class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/**
 * Sets the HTTP status of execution errors that concern the whole request
 * (503, 401, 403), but only when no field produced data: a response that
 * carries data (perhaps one-time credentials) is a 200, whatever else failed.
 */
const statusPlugin: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (response.body.kind !== 'single') return;
        const data = response.body.singleResult.data;
        if (data && Object.values(data).some((v) => v !== null && v !== undefined)) return;
        for (const e of response.body.singleResult.errors ?? []) {
          const status = HTTP_STATUS_BY_CODE[String(e.extensions?.code)];
          if (status) {
            response.http.status = status;
            return;
          }
        }
      },
    };
  },
};

export async function startGateway(config: GatewayConfig, options: StartOptions = {}): Promise<RunningGateway> {
  const logger = options.logger ?? createLogger();
  const { store, hmacKey } = createIdempotencyStore(config);
  const modules = options.modules ?? PROVIDER_MODULES;
  const registry = ProviderRegistry.fromConfig(config, modules);
  const identity = new IdentityService({
    kinds: modules,
    adapters: registry.adapters,
    store,
    health: new ProviderHealthBook(),
    hmacKey,
    maxTargets: config.server.maxTargetsPerMutation,
  });
  const authenticator = new ClientAuthenticator(config);
  const policies = new PolicyBook(config.providers, modules); // security
  if (!authenticator.enabled) {
    logger.warn('NO AUTHENTICATION: no `clients` or `jwt` configured; every caller is "anonymous" with all scopes. Listening on loopback only; only loopback Host and Origin are answered.');
  } else if (store.kind === 'memory') {
    logger.warn('`clients` are configured without `redis`: idempotency records live in this one process only, so replicas or a restart will not see them. Configure redis for any shared deployment.');
  }

  const apollo = new ApolloServer<GatewayContext>({
    schema: await gatewaySchema(modules),
    introspection: config.server.introspection,
    includeStacktraceInErrorResponses: false,
    // "Did you mean …" suggestions would reveal the schema that switching introspection off hides.
    hideSchemaDetailsFromClientErrors: !config.server.introspection,
    validationRules: [maxCreatesRule(config.server.maxCreatesPerOperation), ...queryLimitRules(config.server.limits)], // security: limits
    parseOptions: parseLimits(config.server.limits), // security: token cap
    allowBatchedHttpRequests: false,
    stopOnTerminationSignals: false,
    csrfPrevention: true,
    formatError: createFormatError(logger),
    plugins: [statusPlugin, ApolloServerPluginLandingPageDisabled()],
    logger: { debug: () => undefined, info: () => undefined, warn: (m) => logger.warn(String(m)), error: (m) => logger.error(String(m)) },
  });
  await apollo.start();

  let inFlight = 0;
  let draining = false;

  const handleGraphql = async (req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> => {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'POST') throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'Use GET or POST.');
    // security: who may ask is settled from the headers, before one byte of the body is read
    checkLoopbackOnly(req, authenticator.enabled);
    const client = await authenticateFromHeaders(req, authenticator);
    const raw = await readBody(req, config.server.maxBodyBytes);
    const headers = new HeaderMap();
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    let body: unknown = raw;
    if (method === 'POST' && /json/i.test(req.headers['content-type'] ?? '')) {
      try {
        body = raw.length ? JSON.parse(raw) : {};
      } catch {
        throw new HttpError(400, 'BAD_REQUEST', 'The request body is not valid JSON.');
      }
      checkBodyShape(body, config.server.limits); // security
    }
    const url = new URL(req.url ?? '/', 'http://gateway');
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method, headers, search: url.search, body },
      context: async () =>
        createContext({
          requestId,
          client,
          identity,
          logger,
          idempotencyKeyHeaders: req.headersDistinct['idempotency-key'],
          policy: policies.forClient(client.policy), // security
        }),
    });
    for (const [k, v] of result.headers) res.setHeader(k, v);
    res.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      res.end(result.body.string);
    } else {
      for await (const chunk of result.body.asyncIterator) res.write(chunk);
      res.end();
    }
  };

  const server: Server = createServer(serverOptions(config), (req, res) => {
    const requestId = sanitizeRequestId(req.headers['x-request-id']) ?? randomUUID();
    res.setHeader('x-request-id', requestId);
    const path = (req.url ?? '/').split('?')[0];
    inFlight++;
    requestScope
      .run({ requestId }, async () => {
        if (draining) throw new HttpError(503, 'SERVICE_UNAVAILABLE', 'The gateway is shutting down.');
        if (path === '/graphql') return handleGraphql(req, res, requestId);
        if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
        if (path === '/readyz') {
          try {
            await store.ping();
            return sendJson(res, draining ? 503 : 200, { status: draining ? 'draining' : 'ready', store: store.kind });
          } catch {
            return sendJson(res, 503, { status: 'unavailable', store: store.kind, reason: 'idempotency store unreachable' });
          }
        }
        if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
          res.setHeader('content-type', 'text/html; charset=utf-8');
          return void res.end(landingPage());
        }
        throw new HttpError(404, 'NOT_FOUND', `No route ${path}; the API is at /graphql.`);
      })
      .catch((err: unknown) => {
        if (err instanceof HttpRefusal) {
          // security: refusals from request.guard carry their own headers (WWW-Authenticate) and close the connection
          for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
          if (err.close) res.setHeader('connection', 'close');
          return sendJson(res, err.status, { errors: [{ message: err.message, extensions: { code: err.code, requestId } }] });
        }
        if (err instanceof HttpError) {
          if (err.status === 405) res.setHeader('allow', 'GET, POST');
          return sendJson(res, err.status, { errors: [{ message: err.message, extensions: { code: err.code, requestId } }] });
        }
        if (isClientAbort(err, req)) {
          // A client that hangs up is routine, not a gateway error: once, at info, without a stack.
          logger.info({ requestId, path }, 'client closed the connection before the response');
          return void res.destroy();
        }
        logger.error({ err: (err as Error)?.message, stack: (err as Error)?.stack, requestId }, 'request failed');
        if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } }] });
        else res.destroy();
      })
      .finally(() => {
        inFlight--;
      });
  });
  applyConnectionLimits(server, config); // security

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
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = Date.now() + config.server.shutdownGraceMs;
      while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      server.closeAllConnections();
      await closed;
      await apollo.stop();
      await Promise.all([store.close(), registry.close()]);
    })());

  return { url, port, store, logger, close };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      return reject(new HttpError(413, 'PAYLOAD_TOO_LARGE', `The request body exceeds ${limit} bytes.`));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpError(413, 'PAYLOAD_TOO_LARGE', `The request body exceeds ${limit} bytes.`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function isClientAbort(err: unknown, req: IncomingMessage): boolean {
  const code = (err as { code?: unknown })?.code;
  return req.destroyed || code === 'ECONNRESET' || code === 'ECONNABORTED' || (err as Error)?.message === 'aborted';
}

function sanitizeRequestId(v: string | string[] | undefined): string | undefined {
  return typeof v === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(v) ? v : undefined;
}
