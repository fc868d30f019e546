import Redis, { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { createLogger } from '../observability/pino.logger';

/** Where connection losses and recoveries go (warn level). */
export type RedisEventLog = Pick<Logger, 'warn'>;

export interface RedisConnectionOptions {
  /** A standalone Redis (or a primary behind a proxy). */
  readonly url?: string;
  /** Seed nodes of a Redis Cluster: `redis://[user:password@]host:port` or `rediss://…` (TLS). */
  readonly cluster?: { readonly nodes: readonly string[] };
  readonly commandTimeoutMs: number;
  /** The gateway's logger; without one, a logger with the process defaults (createLogger) made on first use. */
  readonly logger?: RedisEventLog;
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
 * A connection that stops answering is dropped and made again
 * (superviseRedisClient), and outages are logged.
 */
export function createRedisClient(options: RedisConnectionOptions): RedisClient {
  const client = options.cluster
    ? new Cluster(options.cluster.nodes.map(seedNode), clusterOptions(options.cluster.nodes, options.commandTimeoutMs))
    : // Auto-pipelining: commands issued in one tick (a phase's; and those of requests whose replies
      // arrived together) leave in one write, so concurrent mutations share writes and Redis's reads.
      // Not on a Cluster: there ioredis groups by a slot map it may not have yet (the store groups by node itself).
      new Redis(options.url!, {
        ...nodeOptions(options.commandTimeoutMs),
        enableOfflineQueue: false,
        lazyConnect: false,
        enableAutoPipelining: true,
        autoPipeliningIgnoredCommands: [AUDIT_APPEND_AT_ONCE],
      });
  superviseRedisClient(client, options);
  return client;
}

function seedNode(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 6379) };
}

/** Every connection's settings, standalone or a Cluster node. */
function nodeOptions(commandTimeoutMs: number): RedisOptions {
  return {
    maxRetriesPerRequest: 1,
    commandTimeout: commandTimeoutMs,
    connectTimeout: Math.max(commandTimeoutMs, 1000),
    retryStrategy: (times) => Math.min(50 * times, 1000),
    // ioredis would send the commands still unanswered when a connection closed again on the next
    // one. Their callers have had (or get, at their timeout) SERVICE_UNAVAILABLE: a claim or guard
    // claim sent again would hold a key for an attempt that has already given up. Never resent.
    autoResendUnfulfilledCommands: false,
  };
}

/** The Cluster client's settings for these seed nodes (exported for a test that puts proxies under them). */
export function clusterOptions(nodes: readonly string[], commandTimeoutMs: number): ClusterOptions {
  // The schema requires one scheme and one set of credentials for all nodes: discovered nodes get them too.
  const first = new URL(nodes[0]);
  const tls = first.protocol === 'rediss:';
  return {
    // Node connections keep their own queue (they connect lazily, on first use) but its wait is
    // bounded by commandTimeout; the cluster-level queue is what would hold commands for seconds.
    enableOfflineQueue: false,
    redisOptions: {
      ...nodeOptions(commandTimeoutMs),
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
    // ioredis refreshes its slot map only when a command meets MOVED or a connection fails: a gateway that
    // got no traffic through a failover kept the dead master's slots (and /readyz 503) for good. Every 5 s,
    // one CLUSTER SLOTS to one node.
    slotsRefreshInterval: SLOTS_REFRESH_INTERVAL_MS,
    clusterRetryStrategy: (times) => Math.min(100 * times, 1000),
    // With TLS the certificate names the host, not its IP: keep host names as given.
    dnsLookup: tls ? (address, callback) => callback(null, address, 0) : undefined,
  };
}

/** How often a Cluster client asks for the slot map when nothing else made it (docs/idempotency.md). */
export const SLOTS_REFRESH_INTERVAL_MS = 5000;

/** A stall is declared only after this many checks in a row found the connection silent: a blocked event loop is one check, not several. */
const STALL_CHECKS = 3;

/** While Redis stays unavailable, at most one reminder line per this interval. */
export const OUTAGE_REMINDER_MS = 30_000;

/**
 * How long a connection may send back nothing at all while a command waits
 * (three command timeouts, at least 1 s: every command on it has failed by
 * then), and how often that is checked.
 */
export function stallBounds(commandTimeoutMs: number): { stallMs: number; checkMs: number } {
  return { stallMs: Math.max(3 * commandTimeoutMs, 1000), checkMs: Math.min(Math.max(Math.round(commandTimeoutMs / 2), 50), 250) };
}

/**
 * Watches the store's client (createRedisClient does it; a test's own client may be given too):
 *
 * - A connection that was asked something and has sent back no byte for
 *   stallBounds().stallMs is dropped: a half-open connection (a peer or a
 *   middlebox gone silent, the socket still open) would otherwise time out
 *   every command until the kernel gives up on it, ~15 minutes later. Its
 *   unanswered commands fail at once with that reason (they have mostly timed
 *   out already) and are never sent again; ioredis connects again after its
 *   retryStrategy delay (at most 1 s): a Redis that accepts and never answers
 *   sees one or two connections a second, no storm. On a
 *   Cluster the stuck node's connection is dropped (ioredis does not reconnect
 *   a node by itself) and the slot map refreshed, which connects to it again.
 * - Losses and recoveries are logged at warn: one line per change, one
 *   reminder per OUTAGE_REMINDER_MS while it lasts. Never the URL or its
 *   credentials: the node's host:port, and the error's message with any URL's
 *   user info cut out.
 */
export function superviseRedisClient(client: RedisClient, options: { readonly commandTimeoutMs: number; readonly logger?: RedisEventLog }): void {
  const given = options.logger;
  const log = new RedisOutageLog(given ? () => given : processLogger);
  const bounds = stallBounds(options.commandTimeoutMs);
  if (client instanceof Cluster) {
    const ownsSlots = (key: string) => client.slots.some((owners) => owners?.[0] === key);
    const watchNode = (node: Redis) => {
      const scope = `node ${endpoint(node)}`;
      watchForStall(node, bounds, (reason) => {
        log.lost(scope, reason);
        client.refreshSlotsCache();
      });
      node.on('ready', () => {
        log.recovered(scope);
        warnIfEvicting(node, scope, log);
      });
      // A node whose connection ends is dropped from the pool and not connected again by ioredis (a dead
      // master says nothing else): the slot map is asked for at once, and a master's loss is logged. The next
      // map brings it back ("back") or shows its replica promoted ("left the cluster"). Not while the store closes.
      node.once('end', () => {
        if (client.status !== 'ready') return;
        client.refreshSlotsCache();
        // Only a master's loss makes slots unavailable; a replica's is no outage of the store.
        if (ownsSlots(endpoint(node))) log.lost(scope);
      });
    };
    client.nodes('all').forEach(watchNode);
    client.on('+node', watchNode);
    // A failed master that left the topology (its replica promoted) will not come back to say so itself. ('-node'
    // is no sign of it: ioredis drops a node from its pool whenever the node's connection ends.)
    client.on('refresh', () => {
      const present = new Set(client.nodes('all').map((node) => `node ${endpoint(node)}`));
      for (const scope of log.downScopes()) if (scope.startsWith('node ') && !present.has(scope)) log.departed(scope);
    });
    // Only a master's trouble makes slots unavailable: a replica that fails the periodic slot refresh (dead, or
    // announcing an address this gateway cannot reach) is no outage of the store, and is not reported as one.
    // Nor is a master whose own connection is up: the refresh asks on a connection of its own, which a loaded
    // machine can time out, and that connection's 'ready' would never come to end the outage. A dead master's
    // connection ends (above); a stuck one is the watchdog's.
    client.on('node error', (err: unknown, key: string) => {
      if (ownsSlots(key) && !client.nodes('all').some((n) => endpoint(n) === key && n.status === 'ready')) log.lost(`node ${key}`, err);
    });
    client.on('error', (err: unknown) => log.noteError('cluster', err));
    client.on('reconnecting', () => log.lost('cluster'));
    client.on('ready', () => log.recovered('cluster'));
    return;
  }
  const scope = endpoint(client);
  watchForStall(client, bounds, (reason) => log.lost(scope, reason));
  // Every failed call is already a SERVICE_UNAVAILABLE; the events only feed the outage lines.
  client.on('error', (err: unknown) => {
    if (!isSelectRefusal(err)) return log.noteError(scope, err);
    // ioredis only reports a refused SELECT (a database number this Redis does not have) and goes on to
    // 'ready' on database 0, where this gateway would share keys with whatever else uses it. Its SELECT is
    // answered before its ready check is even sent: the connection is cut here and never becomes ready, so
    // the store stays unavailable (fail closed) and every reconnection is refused the same way.
    client.stream?.destroy();
    const hint = /DB index is out of range|invalid DB index/i.test(describeRedisError(err))
      ? 'fix the database number in REDIS_URL'
      : 'the store stays unavailable while Redis refuses it';
    log.lost(scope, new Error(`Redis refused database ${client.options.db} of the URL (${describeRedisError(err)}); ${hint}`));
  });
  client.on('reconnecting', () => log.lost(scope));
  client.on('ready', () => {
    log.recovered(scope);
    warnIfEvicting(client, scope, log);
  });
}

/**
 * Every key the gateway writes has a TTL, so any maxmemory-policy but `noeviction` lets Redis evict a lease, a
 * record or a guard under memory pressure, and a repeated create could then run twice (docs/idempotency.md).
 * Managed Redis may not let it be changed: a warning on every connection, not a refusal to start.
 */
function warnIfEvicting(redis: Redis, scope: string, log: RedisOutageLog): void {
  redis.info('memory').then(
    (info) => {
      const policy = /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
      if (policy && policy !== 'noeviction') log.evicting(scope, policy);
    },
    () => undefined, // INFO may be renamed or refused: nothing to say then.
  );
}

/**
 * Polls the socket's byte counters (no work per reply): bytes written since
 * the last reply was seen and none read for stallMs, over STALL_CHECKS
 * checks or more, is a stall.
 */
function watchForStall(redis: Redis, bounds: { stallMs: number; checkMs: number }, onStall: (reason: Error) => void): void {
  let stream: Redis['stream'] | undefined;
  let read = 0;
  let writtenAtLastReply = 0;
  let silentSince = 0;
  let silentChecks = 0;
  const timer = setInterval(() => {
    const s = redis.status === 'ready' ? redis.stream : undefined;
    if (!s || s !== stream || s.bytesRead !== read) {
      stream = s;
      read = s?.bytesRead ?? 0;
      writtenAtLastReply = s?.bytesWritten ?? 0;
      silentChecks = 0;
      return;
    }
    if (s.bytesWritten === writtenAtLastReply) return; // nothing asked since the last reply
    if (silentChecks++ === 0) silentSince = Date.now();
    const silentMs = Date.now() - silentSince;
    if (silentChecks < STALL_CHECKS || silentMs < bounds.stallMs) return;
    stream = undefined;
    silentChecks = 0;
    const reason = new Error(`no reply from Redis for ${silentMs} ms with commands waiting: connection dropped, reconnecting`);
    onStall(reason);
    // Fails the commands still queued on it with `reason` (a Cluster retries a command whose node
    // connection merely closed; not this one), then closes it. The socket is destroyed at once:
    // a half-open peer may never complete the orderly close that disconnect() starts.
    redis.recoverFromFatalError(reason, reason, {});
    s.destroy();
  }, bounds.checkMs);
  timer.unref();
  redis.once('end', () => clearInterval(timer));
}

function isSelectRefusal(err: unknown): boolean {
  return (err as { command?: { name?: unknown } } | null)?.command?.name === 'select';
}

let fallbackLogger: RedisEventLog | undefined;
const processLogger = (): RedisEventLog => (fallbackLogger ??= createLogger());

/** host:port, as ioredis names a Cluster node (never the URL: it may carry credentials). */
function endpoint(redis: Redis): string {
  const { host, port, path } = redis.options;
  return path ? 'unix socket' : `${host}:${port}`;
}

/** An error's message for a log line: any URL in it without its user info (user:password@), at most 200 characters. */
export function describeRedisError(err: unknown): string {
  const e = err as { message?: unknown; code?: unknown } | null | undefined;
  const message = typeof e?.message === 'string' && e.message ? e.message : typeof e?.code === 'string' ? e.code : String(err);
  return message.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, '$1').slice(0, 200);
}

interface Outage {
  readonly since: number;
  lastLine: number;
  /** Never connected since start (a wrong address, Redis not up yet): not "lost", and its end is a first connection. */
  readonly neverUp: boolean;
}

/**
 * The outage lines, per scope (the standalone endpoint; `cluster`; a Cluster
 * `node host:port`): "lost" once when it goes, "back" once when it returns,
 * and while it stays down one reminder per `reminderMs` at most, however many
 * errors and reconnection attempts come in between.
 */
export class RedisOutageLog {
  private readonly down = new Map<string, Outage>();
  private readonly lastError = new Map<string, string>();
  private readonly everUp = new Set<string>();

  constructor(
    private readonly logger: () => RedisEventLog,
    private readonly reminderMs = OUTAGE_REMINDER_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** An error event: remembered as the reason of the next line. */
  noteError(scope: string, err: unknown): void {
    this.lastError.set(scope, describeRedisError(err));
    this.remind(scope);
  }

  lost(scope: string, err?: unknown): void {
    if (err !== undefined) this.lastError.set(scope, describeRedisError(err));
    if (this.down.has(scope)) return this.remind(scope);
    const t = this.now();
    const neverUp = !this.everUp.has(scope);
    this.down.set(scope, { since: t, lastLine: t, neverUp });
    this.logger().warn(
      { redis: scope, reason: this.reason(scope) },
      neverUp
        ? 'Redis unreachable: no connection since start; the idempotency store is unavailable (creates answer SERVICE_UNAVAILABLE, /readyz 503) until it connects'
        : 'Redis connection lost: the idempotency store is unavailable (creates answer SERVICE_UNAVAILABLE, /readyz 503) until it reconnects',
    );
  }

  recovered(scope: string): void {
    this.everUp.add(scope);
    this.end(scope, (outage) =>
      outage.neverUp ? 'Redis connected: the idempotency store is available' : 'Redis connection back: the idempotency store is available again',
    );
  }

  /** Redis may evict the gateway's keys under memory pressure (warnIfEvicting). */
  evicting(scope: string, policy: string): void {
    this.logger().warn(
      { redis: scope, maxmemoryPolicy: policy },
      `Redis maxmemory-policy is ${policy}: under memory pressure Redis may evict the gateway's leases, records and guards, and a repeated create could run twice; set maxmemory-policy noeviction`,
    );
  }

  /** Scopes with an outage under way. */
  downScopes(): string[] {
    return [...this.down.keys()];
  }

  /** The scope is gone for good (a Cluster node no longer in the topology): its outage, if any, ends with a line saying so. */
  departed(scope: string): void {
    this.everUp.delete(scope);
    this.end(scope, () => 'Redis node left the cluster: its slots are served by another node (a replica was promoted, or the topology changed)');
  }

  /** Ends the scope's outage, if one is under way, with one line saying how. */
  private end(scope: string, message: (outage: Outage) => string): void {
    this.lastError.delete(scope);
    const outage = this.down.get(scope);
    if (!outage) return;
    this.down.delete(scope);
    this.logger().warn({ redis: scope, downMs: this.now() - outage.since }, message(outage));
  }

  private remind(scope: string): void {
    const outage = this.down.get(scope);
    const t = this.now();
    if (!outage || t - outage.lastLine < this.reminderMs) return;
    outage.lastLine = t;
    this.logger().warn(
      { redis: scope, downMs: t - outage.since, reason: this.reason(scope) },
      'Redis still unavailable: creates answer SERVICE_UNAVAILABLE, /readyz 503',
    );
  }

  private reason(scope: string): string {
    return this.lastError.get(scope) ?? 'connection closed';
  }
}
