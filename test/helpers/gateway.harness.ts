import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import type { GatewayConfigInput } from '../../src/config/config.schema';
import { resolveConfig } from '../../src/config/config.loader';
import { capturedLogger } from './captured.logger';
import { startGateway, type RunningGateway } from '../../src/app';
import { sandboxGatewayConfig, startSandboxes, type SandboxSet } from '../../src/sandbox/sandbox.set';
import type { UnleashSandboxOptions } from '../../src/sandbox/unleash.sandbox';
import { gql, type GqlResponse } from './graphql.client';

export interface Harness {
  sandboxes: SandboxSet;
  gateway: RunningGateway;
  url: string;
  /** Everything the gateway logged, as raw text. */
  logs(): string;
  keyPrefix: string;
  gql<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GqlResponse<T>>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Use the real Redis at REDIS_URL (set by the global setup) instead of the memory store. */
  redis?: boolean;
  redisUrl?: string;
  unleash?: Partial<UnleashSandboxOptions>;
  /** Extra environment for the config (e.g. a real provider's token variable). */
  env?: Record<string, string>;
  /** Tweak the config after the sandbox defaults are filled in. */
  configure?: (cfg: GatewayConfigInput & Record<string, any>) => void;
}

export const TEST_HMAC_KEY = 'test-hmac-key-0123456789abcdef';

/** A real gateway on a free port in front of real sandbox providers on real sockets. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const sandboxes = await startSandboxes({ unleash: options.unleash });
  const keyPrefix = `idgw-test-${randomBytes(4).toString('hex')}:`;
  const raw = sandboxGatewayConfig(sandboxes, { port: 0 }) as GatewayConfigInput & Record<string, any>;
  if (options.redis) raw.redis = { url: options.redisUrl ?? process.env.REDIS_URL!, keyPrefix };
  options.configure?.(raw);
  const config = resolveConfig(raw, { ...sandboxes.tokens, IDEMPOTENCY_HMAC_KEY: TEST_HMAC_KEY, ...options.env });
  const log = capturedLogger();
  const gateway = await startGateway(config, { logger: log.logger });
  return {
    sandboxes,
    gateway,
    url: gateway.url,
    keyPrefix,
    logs: log.text,
    gql: (query, variables, headers) => gql(gateway.url, query, variables, headers),
    close: async () => {
      await gateway.close();
      await sandboxes.stop();
    },
  };
}

/**
 * For one describe block: a harness on the real Redis, and a plain client on that Redis to read (or damage) the
 * gateway's keys; `use` receives both once they are up, and both are closed after the block.
 */
export function redisHarnessForBlock(use: (h: Harness, redis: Redis) => void): void {
  let h: Harness | undefined;
  let redis: Redis | undefined;
  beforeAll(async () => {
    h = await startHarness({ redis: true });
    redis = new Redis(process.env.REDIS_URL!);
    use(h, redis);
  });
  afterAll(async () => {
    redis?.disconnect();
    await h?.close();
  });
}

let counter = 0;
/** Unique slug names per test, so tests never collide on natural keys. */
export function uniqueName(prefix = 'sa'): string {
  return `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}-${randomBytes(2).toString('hex')}`;
}
