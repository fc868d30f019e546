import { AUDIT_CURSOR, matchesAudit, type AuditEvent, type AuditPage, type AuditQuery, type StoredAuditEvent } from '../domain';

/**
 * Audit events are ordered by (stream id, shard), newest first. A cursor
 * (AUDIT_CURSOR) is the stream entry id (Redis's, or the memory ring's) and
 * the shard it lives in, so pages never skip or repeat an event when several
 * shards share a millisecond.
 */
export interface AuditPosition {
  readonly ms: number;
  readonly seq: number;
  readonly shard: number;
}

export function parseAuditCursor(cursor: string): AuditPosition {
  const m = AUDIT_CURSOR.exec(cursor);
  if (!m) throw new Error('not an audit cursor');
  return { ms: Number(m[1]), seq: Number(m[2]), shard: Number(m[3]) };
}

export function auditCursor(p: AuditPosition): string {
  return `${p.ms}-${p.seq}:${p.shard}`;
}

/** Newest first: positive when `a` comes before `b`. */
export function newerFirst(a: AuditPosition, b: AuditPosition): number {
  return b.ms - a.ms || b.seq - a.seq || b.shard - a.shard;
}

export interface AuditEntry extends AuditPosition {
  readonly event: AuditEvent;
}

/** Reads a batch of at most `count` entries of one shard older than its bound; fewer means the shard is exhausted. */
export type ShardReader = (shard: number, end: ShardBound, count: number) => Promise<AuditEntry[]>;
export type ShardReads = (requests: ReadonlyArray<{ shard: number; end: ShardBound }>, count: number) => Promise<AuditEntry[][]>;

/** Upper bound of a shard's next read: everything (`undefined`), or up to an entry, inclusive or not. */
export type ShardBound = { readonly ms: number; readonly seq: number; readonly inclusive: boolean } | undefined;

/** At most this many entries are read for one page, however selective the filter. */
const MAX_SCAN = 20_000;

/**
 * How far an entry's id (the store's clock when it was appended) may lie from its event's `at` (the gateway's
 * clock when the event was made), which `since` and `until` filter on. Before: the clocks may disagree (each
 * Cluster node's too); ten minutes is far more than any synchronised clock drifts, and costs only reading the
 * entries inside it. After: an append may also come late, from a completion tried again for up to five minutes
 * (COMPLETION_RETRY_HORIZON_MS) or a refused attempt's append tried again in the background. Entries further
 * away than this cannot match, so a page stops reading them.
 */
export const AUDIT_ID_BEFORE_AT_MS = 10 * 60_000;
export const AUDIT_ID_AFTER_AT_MS = 10 * 60_000;

/**
 * A page of events over several newest-first shards: a k-way merge that only
 * emits an entry once every shard still being read has gone past it.
 */
export async function readAuditPage(shards: number, read: ShardReads, query: AuditQuery): Promise<AuditPage> {
  const after = query.after ? parseAuditCursor(query.after) : undefined;
  // `until`: entries appended after it (and its margin) are not read at all; `since`: a shard is done once its
  // entries are older than it (and its margin). Without this a selective filter scanned up to MAX_SCAN entries.
  const { since, until } = query.filter;
  const newest: ShardBound = until === undefined ? undefined : { ms: Date.parse(until) + AUDIT_ID_AFTER_AT_MS + 1, seq: 0, inclusive: false };
  const oldestMs = since === undefined ? undefined : Date.parse(since) - AUDIT_ID_BEFORE_AT_MS;
  const bounds: ShardBound[] = Array.from({ length: shards }, (_, i) =>
    older(after ? { ms: after.ms, seq: after.seq, inclusive: i < after.shard } : undefined, newest),
  );
  const buffers: AuditEntry[][] = Array.from({ length: shards }, () => []);
  // Nothing sorts below entry 0-0: a shard whose bound excludes it has nothing to read (and Redis refuses `(0-0`
  // and ids below it).
  const done: boolean[] = bounds.map((b) => !!b && (b.ms < 0 || (!b.inclusive && b.ms === 0 && b.seq === 0)));
  const batch = Math.min(1000, Math.max(50, query.first * 2));
  const events: StoredAuditEvent[] = [];
  let scanned = 0;
  let last: AuditPosition | undefined;

  while (events.length <= query.first && scanned < MAX_SCAN) {
    const open = bounds.map((end, shard) => ({ shard, end })).filter(({ shard }) => !done[shard]);
    if (open.length) {
      const got = await read(open, batch);
      open.forEach(({ shard }, i) => {
        const entries = got[i];
        scanned += entries.length;
        const past = oldestMs === undefined ? -1 : entries.findIndex((e) => e.ms < oldestMs);
        buffers[shard].push(...(past < 0 ? entries : entries.slice(0, past)));
        if (entries.length < batch || past >= 0) done[shard] = true;
        const oldest = entries[entries.length - 1];
        if (oldest) bounds[shard] = { ms: oldest.ms, seq: oldest.seq, inclusive: false };
      });
    }
    // Safe to emit: anything not older than the oldest entry read from every shard still open.
    // (Every open shard was just read, so its bound is the oldest entry read from it.)
    const horizon = bounds
      .map((b, shard) => (done[shard] || !b ? undefined : { ms: b.ms, seq: b.seq, shard }))
      .filter((p): p is AuditPosition & { shard: number } => !!p)
      .sort(newerFirst)[0];
    const ready = buffers
      .flat()
      .filter((e) => !horizon || newerFirst(e, horizon) <= 0)
      .sort(newerFirst);
    if (ready.length === 0 && done.every(Boolean)) break;
    for (const e of ready) {
      buffers[e.shard].splice(buffers[e.shard].indexOf(e), 1);
      last = e;
      if (matchesAudit(e.event, query.filter)) {
        events.push({ ...e.event, cursor: auditCursor(e) });
        if (events.length > query.first) break;
      }
    }
    if (done.every(Boolean) && buffers.every((b) => b.length === 0)) break;
  }
  const more = events.length > query.first || (scanned >= MAX_SCAN && !done.every(Boolean));
  const page = events.slice(0, query.first);
  const endCursor = page.length ? page[page.length - 1].cursor : last && more ? auditCursor(last) : undefined;
  return { events: page, hasNextPage: more, endCursor };
}

/** The bound that reads less: the older of two upper bounds (undefined: no bound). */
function older(a: ShardBound, b: ShardBound): ShardBound {
  if (!a || !b) return a ?? b;
  const cmp = a.ms - b.ms || a.seq - b.seq;
  if (cmp !== 0) return cmp < 0 ? a : b;
  return a.inclusive ? b : a;
}
