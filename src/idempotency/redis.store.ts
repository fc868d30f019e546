import calculateSlot from 'cluster-key-slot';
import { Cluster, type ChainableCommander } from 'ioredis';
import { ServiceUnavailableError } from '../errors/gateway.error';
import {
  heldGuard,
  withPartialCompletion,
  type AuditEvent,
  type AuditPage,
  type AuditQuery,
  type AuditRetention,
  type ClaimResult,
  type Completion,
  type CompleteOptions,
  type GuardClaim,
  type GuardInspection,
  type GuardOptions,
  type GuardRef,
  type IdempotencyStore,
  type RecordRef,
  type CreateStatus,
  type Inspection,
  type StoredRecord,
  type StoreTiming,
  type TargetRecord,
} from '../domain';
import { AUDIT_ID_BEFORE_AT_MS, readAuditPage, type AuditEntry, type ShardBound } from './audit.cursor';
import { groupByNode } from './node.grouping';
import { guardId, newOwnerToken, recordId } from './record.keys';
import { AUDIT_APPEND_AT_ONCE, createRedisClient, type RedisClient, type RedisConnectionOptions } from './redis.client';
import {
  AUDIT_APPEND,
  AUDIT_APPEND_FIRST,
  AUDIT_APPEND_ONCE,
  AUDIT_RETRY_MARK_MS,
  CLAIM,
  COMPLETE,
  GUARD_CLAIM,
  GUARD_KEEP,
  GUARD_RELEASE,
  RELEASE,
} from './redis.scripts';

interface ScriptCommands {
  idgwClaim(rec: string, lease: string, ...args: string[]): Promise<string[]>;
  idgwRelease(rec: string, lease: string, owner: string): Promise<number>;
}
interface PipelineScripts {
  idgwGuardClaim(guard: string, ...args: string[]): ChainableCommander;
  idgwGuardRelease(guard: string, value: string): ChainableCommander;
  idgwGuardKeep(guard: string, value: string, ttlMs: string): ChainableCommander;
  idgwComplete(rec: string, lease: string, ...args: string[]): ChainableCommander;
  idgwRelease(rec: string, lease: string, owner: string): ChainableCommander;
  idgwAuditAppend(stream: string, maxEvents: string, minId: string, ttlMs: string, event: string): ChainableCommander;
  idgwAuditAppendAtOnce(stream: string, maxEvents: string, minId: string, ttlMs: string, event: string): ChainableCommander;
  idgwAuditAppendFirst(stream: string, retried: string, maxEvents: string, minId: string, ttlMs: string, event: string): ChainableCommander;
  idgwAuditAppendOnce(
    stream: string,
    retried: string,
    maxEvents: string,
    minId: string,
    ttlMs: string,
    event: string,
    searchFrom: string,
    markTtlMs: string,
  ): ChainableCommander;
}
type Scripted = ChainableCommander & PipelineScripts;

/**
 * One command of a phase: the key that places it on a node, and how to issue
 * it on a pipeline or, on standalone Redis, on the client itself (where it
 * returns its reply's promise).
 */
interface Step {
  readonly key: string;
  readonly add: (target: Scripted) => unknown;
}

export interface RedisStoreOptions extends StoreTiming, RedisConnectionOptions {
  readonly keyPrefix: string;
  readonly audit: AuditRetention;
}

/**
 * The audit trail is a Redis Stream. On a Cluster it is split over a few
 * streams with their own hash tags, so appends do not all land on one node;
 * reads merge them (audit.cursor.ts).
 */
const CLUSTER_AUDIT_SHARDS = 4;

/**
 * When a give-back (RELEASE, GUARD_RELEASE) that failed is tried again (ms after the previous try): long
 * enough together to outlast a Cluster failover (a few seconds) or a Redis restart.
 */
const GIVE_BACK_RETRY_MS: readonly number[] = [200, 1_000, 3_000, 10_000, 30_000];

/** COMPLETE's answers (redis.scripts.ts); 0 is a record lost to another attempt. */
const COMPLETED_NOW = 1;
const COMPLETED_BEFORE = 2;

/**
 * The production store, on a standalone Redis or a Redis Cluster. Fails
 * closed (see redis.client.ts). Every phase of a mutation (claim; guards;
 * complete) is one round trip: one auto-pipelined write on standalone Redis,
 * one pipeline per node, sent in parallel, on a Cluster.
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  readonly kind: 'redis' | 'redis-cluster';
  private readonly redis: RedisClient & ScriptCommands;
  private readonly cluster?: Cluster;
  private readonly auditShards: number;
  private closed = false;

  /** `client` lets a test put its own connection (e.g. through proxies) under the store. */
  constructor(
    private readonly options: RedisStoreOptions,
    client: RedisClient = createRedisClient(options),
  ) {
    this.cluster = client instanceof Cluster ? client : undefined;
    this.kind = this.cluster ? 'redis-cluster' : 'redis';
    this.auditShards = this.cluster ? CLUSTER_AUDIT_SHARDS : 1;
    client.defineCommand('idgwClaim', { numberOfKeys: 2, lua: CLAIM });
    client.defineCommand('idgwComplete', { numberOfKeys: 2, lua: COMPLETE });
    client.defineCommand('idgwRelease', { numberOfKeys: 2, lua: RELEASE });
    client.defineCommand('idgwGuardClaim', { numberOfKeys: 1, lua: GUARD_CLAIM });
    client.defineCommand('idgwGuardRelease', { numberOfKeys: 1, lua: GUARD_RELEASE });
    client.defineCommand('idgwGuardKeep', { numberOfKeys: 1, lua: GUARD_KEEP });
    client.defineCommand('idgwAuditAppend', { numberOfKeys: 1, lua: AUDIT_APPEND });
    client.defineCommand(AUDIT_APPEND_AT_ONCE, { numberOfKeys: 1, lua: AUDIT_APPEND });
    client.defineCommand('idgwAuditAppendFirst', { numberOfKeys: 2, lua: AUDIT_APPEND_FIRST });
    client.defineCommand('idgwAuditAppendOnce', { numberOfKeys: 2, lua: AUDIT_APPEND_ONCE });
    this.redis = client as RedisClient & ScriptCommands;
  }

  async claim(ref: RecordRef, fingerprint: string, targetIds: readonly string[]): Promise<ClaimResult> {
    const owner = newOwnerToken();
    const [rec, lease] = this.recordKeys(ref);
    let reply: string[];
    try {
      reply = await this.run(() =>
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
    } catch (err) {
      // A claim that timed out may still run when a stalled Redis resumes, and would then block every
      // retry of this key for a whole lease: given back (a no-op when the claim never landed).
      this.giveBack([{ key: rec, add: (p) => p.idgwRelease(rec, lease, owner) }]);
      throw err;
    }
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

  async guard(ref: RecordRef, owner: string, guards: readonly GuardRef[], options: GuardOptions = {}): Promise<GuardClaim[]> {
    if (guards.length === 0) return [];
    const rid = recordId(ref);
    const ttl = String(this.options.ttlSeconds * 1000);
    const keys = guards.map((g) => this.guardKey(ref, g));
    let replies: unknown[];
    try {
      const lease = String(this.options.leaseSeconds * 1000);
      const fresh = options.fresh ? '1' : '0';
      const leaseHeld = options.leaseHeld ? '1' : '0';
      replies = await this.phase(keys.map((key) => ({ key, add: (p) => p.idgwGuardClaim(key, rid, owner, ttl, lease, fresh, leaseHeld) })));
    } catch (err) {
      // As with a claim: guard claims that timed out may still run when a stalled Redis resumes, or ran on
      // the nodes that answered while another failed (a Cluster failover), and would then hold their names
      // against every other key for a whole TTL, though nothing was sent: given back.
      const keep = new Set((options.keepOnFailure ?? []).map((g) => this.guardKey(ref, g)));
      const taken = keys.filter((key) => !keep.has(key));
      const held = `${rid}|${owner}`;
      if (taken.length > 0) this.giveBack(taken.map((key) => ({ key, add: (p) => p.idgwGuardRelease(key, held) })));
      throw err;
    }
    return replies.map((r) =>
      r === 1 ? true : r === 5 ? 'retaken' : r === 6 ? 'retakenKept' : r === 2 ? 'busy' : r === 3 ? 'earlier' : r === 4 ? 'attempt' : false,
    );
  }

  /**
   * Gives back what a failed phase may have taken (RELEASE, GUARD_RELEASE: compare-and-set scripts on this
   * record and owner, harmless when repeated or late), sent at once on the same connections, so it runs after
   * what it undoes, if that ran at all; nothing waits for it, and it is tried again while Redis is away. A
   * give-back that found nothing to undo (0) is sent again as well: when the connection was dropped under the
   * phase (redis.client.ts's half-open check), that phase's bytes may sit in Redis's socket buffer while the
   * give-back went out on the new connection and ran first; the phase then lands after it.
   */
  private giveBack(steps: readonly Step[]): void {
    this.inBackground(steps, -1, true);
  }

  /**
   * Give-backs (see giveBack) and audit appends nobody waits for (appendAudit): sent now (attempt -1) or after
   * GIVE_BACK_RETRY_MS[attempt], and again until one try lands or the tries run out; with `untilUndone`, the
   * steps that answered 0 as well. `steps` may be built anew for each try: an audit append then picks its shard again.
   */
  private inBackground(steps: readonly Step[] | (() => readonly Step[]), attempt: number, untilUndone = false): void {
    const send = (): void => {
      const now = typeof steps === 'function' ? steps() : steps;
      this.phase(now).then(
        (replies) => {
          const notYet = untilUndone ? now.filter((_, i) => replies[i] === 0) : [];
          if (notYet.length > 0) this.inBackground(notYet, attempt + 1, true);
        },
        () => this.inBackground(steps, attempt + 1, untilUndone),
      );
    };
    if (attempt < 0) return send();
    const delay = GIVE_BACK_RETRY_MS[attempt];
    if (delay === undefined || this.closed) return;
    // Not keeping a stopping process alive: a give-back still waiting at close is left to the lease and the guard's TTL.
    setTimeout(send, delay).unref();
  }

  async complete(ref: RecordRef, owner: string, c: Completion, audit: AuditEvent, options: CompleteOptions = {}): Promise<boolean> {
    const [rec, lease] = this.recordKeys(ref);
    const held = `${recordId(ref)}|${owner}`;
    const ttl = String(this.options.ttlSeconds * 1000);
    const retryable = c.results.some((r) => r.kind === 'failed' && r.failure.retryable);
    // Record, released guards and kept guards in one round trip.
    const landed: Array<{ value: unknown } | undefined> = [];
    const steps: Step[] = [
      { key: rec, add: (p) => p.idgwComplete(rec, lease, owner, JSON.stringify(c.results), c.status, retryable ? '1' : '0', new Date().toISOString()) },
      ...c.release.map((g): Step => {
        const key = this.guardKey(ref, g);
        return { key, add: (p) => p.idgwGuardRelease(key, held) };
      }),
      ...c.keep.map((g): Step => {
        const key = this.guardKey(ref, g);
        return { key, add: (p) => p.idgwGuardKeep(key, held, ttl) };
      }),
      // The audit event rides in the same round trip as the completion it records, always on the stream
      // its attempt picks (shardOf). A retry appends it only if no earlier try did (AUDIT_APPEND_ONCE): a try
      // whose reply was lost may have landed, and COMPLETE cannot tell once another attempt took the record over.
      // A first try that lands after its retry appends nothing (AUDIT_APPEND_FIRST): the attempt is audited once.
      ...(options.retry && options.auditOnRetry === 'landed' ? [] : [this.auditStep(audit, { completionOf: owner, retry: options.retry })]),
    ];
    let replies: unknown[];
    try {
      replies = await this.phase(steps, landed);
    } catch (err) {
      if (options.retry) throw err;
      // On a Cluster the record and the audit stream live on different nodes, whose pipelines fail apart:
      // the retry must know whether this try's event landed (never twice) or is missing though COMPLETE landed
      // (a retry's COMPLETE then answers 2, which alone would say the event rode with it).
      const completed = landed[0]?.value;
      throw withPartialCompletion(err as object, {
        auditOnRetry: landed[steps.length - 1] ? 'landed' : landed[0] ? 'missing' : 'unknown',
        recorded: completed === COMPLETED_NOW || completed === COMPLETED_BEFORE,
      });
    }
    return replies[0] === COMPLETED_NOW || replies[0] === COMPLETED_BEFORE;
  }

  /**
   * A give-back that fails (Redis away) is tried again in the background, as the guards' is: until it lands,
   * a retry of the key would be told the request is still in progress. RELEASE is a compare-and-set on the
   * owner, so a late one changes nothing once another attempt has taken the record over.
   */
  async release(ref: RecordRef, owner: string): Promise<void> {
    const [rec, lease] = this.recordKeys(ref);
    const steps: Step[] = [{ key: rec, add: (p) => p.idgwRelease(rec, lease, owner) }];
    try {
      await this.phase(steps);
    } catch (err) {
      this.inBackground(steps, 0);
      throw err;
    }
  }

  async get(refs: readonly RecordRef[]): Promise<Array<StoredRecord | null>> {
    if (refs.length === 0) return [];
    const replies = (await this.phase(
      refs.map((ref) => {
        const key = this.recordKeys(ref)[0];
        return { key, add: (p) => p.hmget(key, 'state', 'createdAt', 'completedAt', 'status', 'results') };
      }),
    )) as Array<Array<string | null>>;
    return replies.map(([state, createdAt, completedAt, status, results], i) =>
      state && createdAt ? toStoredRecord(refs[i], state === 'completed' ? 'completed' : 'in_progress', createdAt, completedAt, status, results) : null,
    );
  }

  async appendAudit(event: AuditEvent): Promise<void> {
    // Nobody waits for it, so it must not trail the answer: this name of the script is not
    // auto-pipelined (redis.client.ts), it is written at once, one command, no pipeline object.
    try {
      await this.phase([this.auditStep(event, { atOnce: true, refusal: true })]);
    } catch (err) {
      // A refused attempt has no record of its own to carry its event: tried again in the background, each
      // time on a shard picked anew (on a Cluster, its node may be the one failing over). At least once: an
      // append whose reply was lost (a timeout) may have landed, and its repeat is then a second copy, with
      // the same requestId and `at` (docs/idempotency.md).
      this.inBackground(() => [this.auditStep(event, { refusal: true })], 0);
      throw err;
    }
  }

  auditEvents(query: AuditQuery): Promise<AuditPage> {
    return readAuditPage(
      2 * this.auditShards,
      async (requests, count) => {
        const replies = (await this.phase(
          requests.map(({ shard, end }): Step => {
            const key = this.auditKey(shard);
            return { key, add: (p) => p.xrevrange(key, streamBound(end), '-', 'COUNT', count) };
          }),
        )) as Array<Array<[string, string[]]>>;
        return replies.map((entries, i) => entries.flatMap((entry) => toAuditEntry(entry, requests[i].shard)));
      },
      query,
    );
  }

  /**
   * XADD (bounded by count), trimmed by age, and a TTL so an idle stream goes away with its retention: one script.
   * A refused attempt's event goes to a refusals stream, any shard's (`refusal`: its retries pick anew); a
   * completion's (`completionOf`: the owner whose completion it records) goes where its requestId and time put
   * it, so that its retries (`retry`) search the stream an earlier try used, and its tries share a retry mark
   * (beside the stream, in its slot) that keeps the event to one append whichever try Redis runs first.
   */
  private auditStep(event: AuditEvent, how: { atOnce?: boolean; completionOf?: string; retry?: boolean; refusal?: boolean } = {}): Step {
    const key = this.auditKey(how.refusal ? this.auditShards + Math.floor(Math.random() * this.auditShards) : this.shardOf(event));
    const { retentionSeconds, maxEvents } = this.options.audit;
    const perShard = String(Math.ceil(maxEvents / this.auditShards));
    const minId = String(Math.max(0, Date.now() - retentionSeconds * 1000));
    const args = [perShard, minId, String(retentionSeconds * 1000), JSON.stringify(event)] as const;
    if (how.completionOf !== undefined) {
      const retried = `${key}:retried:${how.completionOf}`;
      if (!how.retry) return { key, add: (p) => p.idgwAuditAppendFirst(key, retried, ...args) };
      // Entry ids are Redis's clock when the earlier try ran, after the event's `at` on the gateway's, give or take
      // the two clocks' disagreement: the same margin the audit pages allow (AUDIT_ID_BEFORE_AT_MS).
      const searchFrom = String(Math.max(0, Date.parse(event.at) - AUDIT_ID_BEFORE_AT_MS));
      return { key, add: (p) => p.idgwAuditAppendOnce(key, retried, ...args, searchFrom, String(AUDIT_RETRY_MARK_MS)) };
    }
    return { key, add: (p) => (how.atOnce ? p.idgwAuditAppendAtOnce(key, ...args) : p.idgwAuditAppend(key, ...args)) };
  }

  /** A stable shard for an event (FNV-1a of its requestId and time): the same for every try of one completion. */
  private shardOf(event: AuditEvent): number {
    if (this.auditShards === 1) return 0;
    let h = 0x811c9dc5;
    for (const text of [event.requestId, event.at]) {
      for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    }
    return (h >>> 0) % this.auditShards;
  }

  /**
   * Shards 0…n-1 hold completions, n…2n-1 the attempts the claim answered (and creates that called nothing), each
   * bounded by `audit.maxEvents` on its own: a client repeating a finished create as fast as it can fills only the
   * refusals streams, and cannot push out the events of the accounts created (docs/idempotency.md). A refusals
   * stream shares its shard's hash tag, so its slot.
   */
  private auditKey(shard: number): string {
    const n = this.auditShards;
    return shard < n ? `${this.options.keyPrefix}audit:{audit-${shard}}` : `${this.options.keyPrefix}audit:{audit-${shard - n}}:refusals`;
  }

  async inspect(ref: RecordRef, fingerprint: string, guards: readonly GuardRef[]): Promise<Inspection> {
    const [rec, lease] = this.recordKeys(ref);
    const rid = recordId(ref);
    // Reads only (HMGET, EXISTS, GET): a plan creates no key and touches no TTL. One phase, grouped by node.
    const [fields, leased, ...held] = (await this.phase([
      { key: rec, add: (p) => p.hmget(rec, 'fp', 'state', 'retryable', 'results', 'pending') },
      { key: lease, add: (p) => p.exists(lease) },
      ...guards.map((g): Step => {
        const key = this.guardKey(ref, g);
        return { key, add: (p) => p.get(key) };
      }),
    ])) as [Array<string | null>, number, ...Array<string | null>];
    const [fp, state, retryable, results, pending] = fields;
    // No record but a held lease: an attempt whose record expired under it, as CLAIM answers (in progress).
    const record: Inspection['record'] = !fp
      ? leased
        ? 'in_progress'
        : 'none'
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
      // As CLAIM's takeover answers it: the pending targets of an in-progress record whose lease is over.
      takenOverFrom: record === 'retryable' && state === 'in_progress' ? (JSON.parse(pending || '[]') as string[]) : [],
      guards: held.map((v) => guardSeen(v, rid)),
    };
  }

  async ping(): Promise<void> {
    const cluster = this.cluster;
    if (!cluster) {
      await this.run(() => this.redis.ping());
      return;
    }
    // Ready means every slot has a master that answers, and the cluster itself says it serves all
    // slots: a dead master is noticed at once, before the other nodes agree it failed.
    await this.run(async () => {
      const byKey = new Map(cluster.nodes('master').map((m) => [`${m.options.host}:${m.options.port}`, m]));
      const owners = new Set<string | undefined>();
      for (let slot = 0; slot < 16384; slot++) owners.add(cluster.slots[slot]?.[0]);
      const masters = [...owners].map((key) => (key === undefined ? undefined : byKey.get(key)));
      if (masters.some((m) => m === undefined)) {
        // The map still names a master that is gone: ask for a new one, so the next probe sees the promoted replica.
        cluster.refreshSlotsCache();
        throw new Error('a slot has no reachable master');
      }
      await Promise.all(masters.map((m) => m!.ping()));
      const info = await masters[0]!.cluster('INFO');
      if (!/cluster_state:ok/.test(info)) throw new Error('cluster state is not ok');
    });
  }

  async ownsLease(ref: RecordRef, owner: string): Promise<boolean> {
    const lease = this.recordKeys(ref)[1];
    return this.run(async () => (await this.redis.get(lease)) === owner);
  }

  async close(): Promise<void> {
    this.closed = true;
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
    // One wait shared by every command that arrives meanwhile: a listener each made Node warn of a leak
    // (MaxListenersExceededWarning) whenever more than ten requests met a reconnecting Redis.
    this.readyWait ??= new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.redis.off('ready', onReady);
        this.readyWait = undefined;
        reject(new Error('redis not ready'));
      }, this.options.commandTimeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        this.readyWait = undefined;
        resolve();
      };
      this.redis.once('ready', onReady);
    });
    return this.readyWait;
  }

  private readyWait: Promise<void> | undefined;

  private async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      await this.connected();
      return await fn();
    } catch (err) {
      throw unavailable(err);
    }
  }

  /**
   * One round trip: the steps grouped by the node that owns their key's slot
   * (all together on standalone Redis), one pipeline per node, in parallel.
   * Replies come back in the order of the steps. `landed`, when given, gets each
   * step's reply that came back, even when the phase as a whole failed.
   */
  private async phase(steps: readonly Step[], landed?: Array<{ value: unknown } | undefined>): Promise<unknown[]> {
    const redis = this.redis;
    const cluster = this.cluster;
    if (!cluster) {
      // Issued in one tick on an auto-pipelining client (redis.client.ts): they leave in one write,
      // together with whatever other requests issued in that tick, so this is still one round trip.
      const client = redis as unknown as Scripted;
      return this.run(async () => {
        const settled = await Promise.allSettled(steps.map((s) => s.add(client)));
        if (landed) settled.forEach((r, i) => (landed[i] = r.status === 'fulfilled' ? { value: r.value } : undefined));
        const failed = settled.find((r) => r.status === 'rejected');
        if (failed) throw failed.reason;
        return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value);
      });
    }
    const groups = groupByNode(steps, (s) => nodeOfSlot(cluster.slots, calculateSlot(s.key)));
    const replies: unknown[] = new Array(steps.length);
    await this.run(async () => {
      // Settled, not Promise.all: `landed` must say what every node did, including those that answered after another failed.
      const settled = await Promise.allSettled(
        groups.map(async ({ indexes }) => {
          const pipeline = redis.pipeline() as Scripted;
          for (const i of indexes) steps[i].add(pipeline);
          const results = await pipeline.exec();
          if (!results) throw new Error('pipeline aborted');
          // Every reply recorded before the first error is thrown: `landed` must not miss one that follows it.
          let first: unknown;
          results.forEach(([err, value], j) => {
            if (err) first ??= err;
            else {
              replies[indexes[j]] = value;
              if (landed) landed[indexes[j]] = { value };
            }
          });
          if (first !== undefined) throw first;
        }),
      );
      const failed = settled.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    });
    return replies;
  }
}

function streamBound(end: ShardBound): string {
  return end ? `${end.inclusive ? '' : '('}${end.ms}-${end.seq}` : '+';
}

function toAuditEntry([id, fields]: [string, string[]], shard: number): AuditEntry[] {
  const [ms, seq] = id.split('-').map(Number);
  const json = fields[fields.indexOf('e') + 1];
  try {
    return [{ ms, seq, shard, event: JSON.parse(json) as AuditEvent }];
  } catch {
    // Not ours (a hand-written entry): skipped rather than failing every page.
    return [];
  }
}

/**
 * The master serving a slot, as the client last learnt it. A slot it does not
 * know yet gets a group of its own, so ioredis still routes (and redirects) it.
 */
function nodeOfSlot(slots: string[][], slot: number): string {
  return slots[slot]?.[0] ?? `slot:${slot}`;
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
  return new ServiceUnavailableError(
    'The idempotency store (Redis) is unavailable: this operation did nothing and sent nothing to any provider. Retry later.',
    {
      cause: (err as Error)?.name === 'MaxRetriesPerRequestError' ? 'redis retries exhausted' : 'redis unavailable',
      // A hint, not a promise: a reconnection takes up to a second, a Cluster failover longer.
      retryAfterSeconds: 1,
    },
  );
}

/** A guard's value as GUARD_CLAIM reads it (`recordId|owner`, with `|busy:<ms>` while its attempt may run), on this process's clock. */
function guardSeen(value: string | null, rid: string): GuardInspection {
  if (!value) return 'free';
  const busyUntil = /\|busy:(\d+)$/.exec(value)?.[1];
  return heldGuard(value.startsWith(`${rid}|`), busyUntil === undefined ? undefined : Number(busyUntil), Date.now());
}
