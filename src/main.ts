/**
 * Process entry. With GATEWAY_CONFIG: that file. Without: the embedded default,
 * four sandbox providers in-process and the in-memory store (Redis when
 * REDIS_URL is set).
 */
import 'reflect-metadata';
import { setFlagsFromString } from 'node:v8';
import type { Logger } from 'pino';
import { ConfigError } from './config/config.error';
import { loadConfigFile, resolveConfig, type GatewayConfig } from './config/config.loader';
import { createLogger } from './observability/pino.logger';
import { startGateway } from './app';

/**
 * After each full GC V8 lets the old generation grow to up to four times what
 * survived before the next one. Under load most of what reaches it is
 * short-lived request garbage, so a gateway with ~30 MiB live peaked at
 * ~220 MiB RSS; growing by 30% (with npm start's smaller young generation)
 * keeps it under 150 MB at the same throughput (docs/performance.md). V8 reads this flag at every GC, so setting it here,
 * before any load, takes effect; it is not a cap, the heap still grows as
 * far as live data needs.
 */
const HEAP_GROWING_PERCENT = 30;

/** The embedded default's key when it runs on Redis without IDEMPOTENCY_HMAC_KEY (docs/idempotency.md). */
const EMBEDDED_DEFAULT_HMAC_KEY = 'identity-gateway-embedded-default-development-key';

async function main(): Promise<void> {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  let logger: Logger;
  let config: GatewayConfig;
  let stopSandboxes: (() => Promise<void>) | undefined;
  try {
    // A bad LOG_LEVEL or LOG_FORMAT is a ConfigError too: with a file, listed with the file's problems.
    if (process.env.GATEWAY_CONFIG) {
      config = loadConfigFile(process.env.GATEWAY_CONFIG);
      logger = createLogger();
    } else {
      // The only production import of sandbox/: the embedded default.
      const { startSandboxes, sandboxGatewayConfig } = await import('./sandbox/sandbox.set');
      const sandboxes = await startSandboxes();
      stopSandboxes = sandboxes.stop;
      const env = { ...process.env, ...sandboxes.tokens };
      // Fixed, not random: derived keys and fingerprints must stay the same across replicas and restarts, or a
      // repeat after a restart is a new request whose names the old record's guards still hold. It protects
      // nothing but the sandboxes' test data; with a config file (real providers) the key is required.
      const defaultKey = Boolean((env.REDIS_URL || env.REDIS_CLUSTER_NODES) && !env.IDEMPOTENCY_HMAC_KEY);
      if (defaultKey) env.IDEMPOTENCY_HMAC_KEY = EMBEDDED_DEFAULT_HMAC_KEY;
      // Validated before the logger is made: a bad LOG_FORMAT is listed with every other problem (PORT, REDIS_URL).
      config = resolveConfig(sandboxGatewayConfig(sandboxes), env);
      logger = createLogger();
      if (defaultKey) {
        logger.warn('IDEMPOTENCY_HMAC_KEY not set: the embedded default uses a fixed development key (set your own secret for anything but the sandboxes)');
      }
      // Each sandbox's fault endpoint in full, for the README's tour (it lives at the origin, not under the base path).
      const started = sandboxes.all().map((s) => ({ kind: s.kind, baseUrl: s.baseUrl, faults: `${new URL(s.baseUrl).origin}/__sandbox/faults` }));
      logger.info({ sandboxes: started }, 'embedded default: sandbox providers started in-process');
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }

  const gateway = await startGateway(config, { logger });
  // The playground is served on / (its address is the one to open in a browser), when it is on.
  // A wildcard address is where it listens, not one a browser can open: the loopback one of its family is.
  const playground =
    config.server.playground && config.server.introspection
      ? gateway.url
          .replace(/graphql$/, '')
          .replace('//0.0.0.0:', '//127.0.0.1:')
          .replace('//[::]:', '//[::1]:')
      : undefined;
  logger.info(
    // The key prefix too: every record and guard lives under it, and REDIS_KEY_PREFIX can move it.
    {
      url: gateway.url,
      playground,
      store: gateway.store.kind,
      keyPrefix: config.redis?.keyPrefix,
      providers: config.providers.map((p) => `${p.id} (${p.kind})`),
    },
    `identity-gateway listening on ${gateway.url}${playground ? ` (playground: ${playground})` : ''}`,
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    gateway
      .close()
      .then(() => stopSandboxes?.())
      .then(() => {
        logger.info({ signal }, 'stopped');
        process.exit(0);
      })
      .catch((err) => {
        logger.error({ err: (err as Error).message }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  const inUse = (err as { code?: unknown }).code === 'EADDRINUSE' ? ' (another process listens there: stop it, or set PORT or server.port)' : '';
  process.stderr.write(`identity-gateway failed to start: ${(err as Error).message}${inUse}\n`);
  process.exit(1);
});
