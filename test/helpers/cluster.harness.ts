import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxGatewayConfig, startSandboxes, type SandboxSet } from '../../src/sandbox/sandbox.set';
import { TEST_HMAC_KEY } from './gateway.harness';
import { spawnGateway, type GatewayProcess } from './process.harness';
import type { RedisCluster } from './redis-cluster';
import { freePort } from './redis.global-setup';

export interface Cluster {
  sandboxes: SandboxSet;
  nodes: Array<{ url: string; proc: GatewayProcess }>;
  keyPrefix: string;
  close(): Promise<void>;
}

/**
 * startCluster's `configure` for gateways on a Redis Cluster: its first `seeds` node URLs (3 unless said), the
 * harness's key prefix, and any other store setting.
 */
export function onRedisCluster(redis: RedisCluster, options: { seeds?: number; commandTimeoutMs?: number } = {}) {
  const { seeds = 3, ...rest } = options;
  return (cfg: Record<string, any>): void => {
    cfg.redis = { cluster: { nodes: redis.urls.slice(0, seeds) }, keyPrefix: cfg.redis.keyPrefix, ...rest };
  };
}

/**
 * N gateway OS processes sharing one Redis and one set of sandbox providers, each on its own port.
 * `configure` may replace `redis` with `{ cluster: { nodes }, keyPrefix }` for a Redis Cluster.
 */
export async function startCluster(n: number, configure: (cfg: Record<string, any>) => void = () => undefined): Promise<Cluster> {
  const sandboxes = await startSandboxes();
  const keyPrefix = `idgw-cluster-${randomBytes(4).toString('hex')}:`;
  const cfg: Record<string, any> = sandboxGatewayConfig(sandboxes);
  cfg.redis = { url: process.env.REDIS_URL, keyPrefix };
  configure(cfg);
  const dir = mkdtempSync(join(tmpdir(), 'idgw-cluster-'));
  const file = join(dir, 'gateway.json');
  writeFileSync(file, JSON.stringify(cfg));
  const nodes: Cluster['nodes'] = [];
  for (let i = 0; i < n; i++) {
    const port = await freePort();
    // A Redis Cluster config is selected through REDIS_CLUSTER_NODES, as an operator would; the
    // inherited REDIS_URL of the standalone test Redis must not override it.
    const redisEnv = cfg.redis?.cluster ? { REDIS_URL: '', REDIS_CLUSTER_NODES: cfg.redis.cluster.nodes.join(',') } : { REDIS_URL: process.env.REDIS_URL };
    const proc = spawnGateway({ ...sandboxes.tokens, GATEWAY_CONFIG: file, PORT: String(port), IDEMPOTENCY_HMAC_KEY: TEST_HMAC_KEY, ...redisEnv });
    nodes.push({ url: `http://127.0.0.1:${port}/graphql`, proc });
  }
  try {
    await Promise.all(nodes.map((node) => node.proc.ready));
  } catch (err) {
    await Promise.all(nodes.map((node) => node.proc.kill('SIGKILL')));
    await sandboxes.stop();
    throw err;
  }
  return {
    sandboxes,
    nodes,
    keyPrefix,
    close: async () => {
      await Promise.all(nodes.map((node) => node.proc.kill('SIGTERM')));
      await sandboxes.stop();
    },
  };
}
