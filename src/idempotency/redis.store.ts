import Redis, { type ChainableCommander } from 'ioredis';
import { ServiceUnavailableError } from '../errors/gateway.error';
import type {
  ClaimResult,
  Completion,
  GuardRef,
  IdempotencyStore,
  RecordRef,
  CreateStatus,
  Inspection,
  StoredRecord,
  StoreTiming,
  TargetRecord,
} from '../domain';
import { guardId, newOwnerToken, recordId } from './record.keys';
import { CLAIM, COMPLETE, GUARD_CLAIM, GUARD_KEEP, GUARD_RELEASE, RELEASE } from './redis.scripts';

interface ScriptCommands {
  idgwClaim(rec: string, lease: string, ...args: string[]): Promise<string[]>;
  idgwComplete(rec: string, lease: string, ...args: string[]): Promise<number>;
  idgwRelease(rec: string, lease: string, owner: string): Promise<number>;
}
interface PipelineScripts {
  idgwGuardClaim(guard: string, ...args: string[]): ChainableCommander;
  idgwGuardRelease(guard: string, value: string): ChainableCommander;
  idgwGuardKeep(guard: string, value: string, ttlMs: string): ChainableCommander;
  idgwComplete(rec: string, lease: string, ...args: string[]): ChainableCommander;
}
type ScriptedRedis = Redis & ScriptCommands;

export interface RedisStoreOptions extends StoreTiming {
  readonly url: string;
  readonly keyPrefix: string;
  readonly commandTimeoutMs: number;
}

/**
 * The production store. Fails closed: no offline queue and a short command
 * timeout, so an unreachable Redis is a fast SERVICE_UNAVAILABLE, never a hang
 * and never an unguarded upstream create. Reconnects on its own.
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  readonly kind = 'redis' as const;
  private readonly redis: ScriptedRedis;

  constructor(private readonly options: RedisStoreOptions) {
    const redis = new Redis(options.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: options.commandTimeoutMs,
      connectTimeout: Math.max(options.commandTimeoutMs, 1000),
      retryStrategy: (times) => Math.min(50 * times, 1000),
      lazyConnect: false,
    });
    // Connection errors surface as SERVICE_UNAVAILABLE on each call; the event itself is expected noise.
    redis.on('error', () => undefined);
    redis.defineCommand('idgwClaim', { numberOfKeys: 2, lua: CLAIM });
    redis.defineCommand('idgwComplete', { numberOfKeys: 2, lua: COMPLETE });
    redis.defineCommand('idgwRelease', { numberOfKeys: 2, lua: RELEASE });
    redis.defineCommand('idgwGuardClaim', { numberOfKeys: 1, lua: GUARD_CLAIM });
    redis.defineCommand('idgwGuardRelease', { numberOfKeys: 1, lua: GUARD_RELEASE });
    redis.defineCommand('idgwGuardKeep', { numberOfKeys: 1, lua: GUARD_KEEP });
    this.redis = redis as ScriptedRedis;
  }

  async claim(ref: RecordRef, fingerprint: string, targetIds: readonly string[]): Promise<ClaimResult> {
    const owner = newOwnerToken();
    const [rec, lease] = this.recordKeys(ref);
    const reply = await this.run(() =>
      this.redis.idgwClaim(
        rec,
        lease,
        fingerprint,
        owner,
        String(this.options.leaseSeconds * 1000),
        String(this.options.ttlSeconds * 1000),
        new Date().toISOString(),
        JSON.stringify(targetIds),
      ),
    );
    const [kind, createdAt, completedAt, status, results, pending] = reply;
    if (kind === 'reused') return { kind };
    const record = toStoredRecord(ref, kind === 'completed' ? 'completed' : 'in_progress', createdAt, completedAt, status, results);
    if (kind === 'completed' || kind === 'in_progress') return { kind, record };
    return {
      kind: 'claimed',
      owner,
      createdAt,
      previous: record.results,
      takenOverFrom: kind === 'takeover' ? (JSON.parse(pending) as string[]) : [],
    };
  }

  async guard(ref: RecordRef, owner: string, guards: readonly GuardRef[]): Promise<boolean[]> {
    if (guards.length === 0) return [];
    const rid = recordId(ref);
    const ttl = String(this.options.ttlSeconds * 1000);
    const pipeline = this.redis.pipeline() as ChainableCommander & PipelineScripts;
    for (const g of guards) pipeline.idgwGuardClaim(this.guardKey(ref, g), rid, owner, ttl);
    const replies = await this.exec(pipeline);
    return replies.map((r) => r === 1);
  }

  async complete(ref: RecordRef, owner: string, c: Completion): Promise<boolean> {
    const [rec, lease] = this.recordKeys(ref);
    const held = `${recordId(ref)}|${owner}`;
    const ttl = String(this.options.ttlSeconds * 1000);
    const retryable = c.results.some((r) => r.kind === 'failed' && r.failure.retryable);
    // Record, released guards and kept guards in one round trip.
    const pipeline = this.redis.pipeline() as ChainableCommander & PipelineScripts;
    pipeline.idgwComplete(rec, lease, owner, JSON.stringify(c.results), c.status, retryable ? '1' : '0', new Date().toISOString());
    for (const g of c.release) pipeline.idgwGuardRelease(this.guardKey(ref, g), held);
    for (const g of c.keep) pipeline.idgwGuardKeep(this.guardKey(ref, g), held, ttl);
    const replies = await this.exec(pipeline);
    return replies[0] === 1;
  }

  async release(ref: RecordRef, owner: string): Promise<void> {
    const [rec, lease] = this.recordKeys(ref);
    await this.run(() => this.redis.idgwRelease(rec, lease, owner));
  }

  async get(refs: readonly RecordRef[]): Promise<Array<StoredRecord | null>> {
    if (refs.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const ref of refs) {
      pipeline.hmget(this.recordKeys(ref)[0], 'state', 'createdAt', 'completedAt', 'status', 'results');
    }
    const replies = (await this.exec(pipeline)) as Array<Array<string | null>>;
    return replies.map(([state, createdAt, completedAt, status, results], i) =>
      state && createdAt ? toStoredRecord(refs[i], state === 'completed' ? 'completed' : 'in_progress', createdAt, completedAt, status, results) : null,
    );
  }

  async inspect(ref: RecordRef, fingerprint: string, guards: readonly GuardRef[]): Promise<Inspection> {
    const [rec, lease] = this.recordKeys(ref);
    const rid = recordId(ref);
    // Reads only (HMGET, EXISTS, GET): a plan creates no key and touches no TTL.
    const pipeline = this.redis.pipeline();
    pipeline.hmget(rec, 'fp', 'state', 'retryable', 'results');
    pipeline.exists(lease);
    for (const g of guards) pipeline.get(this.guardKey(ref, g));
    const [fields, leased, ...held] = (await this.exec(pipeline)) as [Array<string | null>, number, ...Array<string | null>];
    const [fp, state, retryable, results] = fields;
    const record: Inspection['record'] = !fp
      ? 'none'
      : fp !== fingerprint
        ? 'reused'
        : state === 'in_progress'
          ? leased
            ? 'in_progress'
            : 'retryable'
          : retryable === '1'
            ? 'retryable'
            : 'completed';
    return {
      record,
      previous: record === 'none' || record === 'reused' ? [] : (JSON.parse(results || '[]') as TargetRecord[]),
      guards: held.map((v) => (!v ? 'free' : v.startsWith(`${rid}|`) ? 'mine' : 'other')),
    };
  }

  async ping(): Promise<void> {
    await this.run(() => this.redis.ping());
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  private recordKeys(ref: RecordRef): [string, string] {
    const base = `${this.options.keyPrefix}rec:{${recordId(ref)}}`;
    return [base, `${base}:lease`];
  }

  private guardKey(ref: RecordRef, g: GuardRef): string {
    return `${this.options.keyPrefix}guard:{${guardId(ref.operation, g)}}`;
  }

  /**
   * Without an offline queue a command sent while (re)connecting fails at
   * once; wait for the connection, but never longer than one command timeout.
   */
  private async connected(): Promise<void> {
    if (this.redis.status === 'ready') return;
    if (this.redis.status === 'end') throw new Error('redis connection closed');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.redis.off('ready', onReady);
        reject(new Error('redis not ready'));
      }, this.options.commandTimeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      this.redis.once('ready', onReady);
    });
  }

  private async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      await this.connected();
      return await fn();
    } catch (err) {
      throw unavailable(err);
    }
  }

  private async exec(pipeline: ChainableCommander): Promise<unknown[]> {
    const replies = await this.run(() => pipeline.exec());
    if (!replies) throw unavailable(new Error('pipeline aborted'));
    return replies.map(([err, value]) => {
      if (err) throw unavailable(err);
      return value;
    });
  }
}

/** A record's hash fields as a StoredRecord; absent or empty fields stay undefined. */
function toStoredRecord(
  ref: RecordRef,
  state: StoredRecord['state'],
  createdAt: string,
  completedAt: string | null,
  status: string | null,
  results: string | null,
): StoredRecord {
  return {
    key: ref.key,
    operation: ref.operation,
    state,
    createdAt,
    completedAt: completedAt || undefined,
    status: (status || undefined) as CreateStatus | undefined,
    results: JSON.parse(results || '[]') as TargetRecord[],
  };
}

function unavailable(err: unknown): ServiceUnavailableError {
  return new ServiceUnavailableError('The idempotency store (Redis) is unavailable; nothing was sent to any provider for this create. Retry later.', {
    cause: (err as Error)?.name === 'MaxRetriesPerRequestError' ? 'redis retries exhausted' : 'redis unavailable',
  });
}
