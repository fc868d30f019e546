import Redis, { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';

export interface RedisConnectionOptions {
  /** A standalone Redis (or a primary behind a proxy). */
  readonly url?: string;
  /** Seed nodes of a Redis Cluster: `redis://[user:password@]host:port` or `rediss://…` (TLS). */
  readonly cluster?: { readonly nodes: readonly string[] };
  readonly commandTimeoutMs: number;
}

export type RedisClient = Redis | Cluster;

/**
 * Auto-pipelined commands leave in the next turn of the event loop, after the
 * answer that issued them. The audit append of a refused attempt is not
 * awaited, and must be in Redis's socket before the client holds its answer:
 * its command is sent at once (redis.store.ts defines it; the same script
 * under another name rides in a completion's auto-pipelined phase).
 */
export const AUDIT_APPEND_AT_ONCE = 'idgwAuditAppendAtOnce';

/**
 * Fail-closed settings (see docs/idempotency.md): no offline queue, one retry,
 * a short command timeout, so an unreachable Redis is a fast
 * SERVICE_UNAVAILABLE and never a 15 s hang or an unguarded upstream create.
 */
export function createRedisClient(options: RedisConnectionOptions): RedisClient {
  const nodeOptions: RedisOptions = {
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: Math.max(options.commandTimeoutMs, 1000),
    retryStrategy: (times) => Math.min(50 * times, 1000),
  };
  const client = options.cluster
    ? new Cluster(options.cluster.nodes.map(seedNode), clusterOptions(options.cluster.nodes, nodeOptions, options.commandTimeoutMs))
    : // Auto-pipelining: commands issued in one tick (a phase's; and those of requests whose replies
      // arrived together) leave in one write, so concurrent mutations share writes and Redis's reads.
      // Not on a Cluster: there ioredis groups by a slot map it may not have yet (the store groups by node itself).
      new Redis(options.url!, {
        ...nodeOptions,
        enableOfflineQueue: false,
        lazyConnect: false,
        enableAutoPipelining: true,
        autoPipeliningIgnoredCommands: [AUDIT_APPEND_AT_ONCE],
      });
  // Connection errors surface as SERVICE_UNAVAILABLE on each call; the event itself is expected noise.
  client.on('error', () => undefined);
  return client;
}

function seedNode(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 6379) };
}

function clusterOptions(nodes: readonly string[], nodeOptions: RedisOptions, commandTimeoutMs: number): ClusterOptions {
  // The schema requires one scheme and one set of credentials for all nodes: discovered nodes get them too.
  const first = new URL(nodes[0]);
  const tls = first.protocol === 'rediss:';
  return {
    // Node connections keep their own queue (they connect lazily, on first use) but its wait is
    // bounded by commandTimeout; the cluster-level queue is what would hold commands for seconds.
    enableOfflineQueue: false,
    redisOptions: {
      ...nodeOptions,
      username: first.username ? decodeURIComponent(first.username) : undefined,
      password: first.password ? decodeURIComponent(first.password) : undefined,
      tls: tls ? {} : undefined,
    },
    // A dead master's slots are retried only briefly: the answer for the seconds before a replica
    // takes over is SERVICE_UNAVAILABLE, and a later MOVED still finds the new master.
    maxRedirections: 2,
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 100,
    slotsRefreshTimeout: Math.max(commandTimeoutMs, 500),
    clusterRetryStrategy: (times) => Math.min(100 * times, 1000),
    // With TLS the certificate names the host, not its IP: keep host names as given.
    dnsLookup: tls ? (address, callback) => callback(null, address, 0) : undefined,
  };
}
