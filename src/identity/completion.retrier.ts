import type { Logger } from 'pino';
import type { AuditEvent, AuditOnRetry, Completion, IdempotencyStore, RecordRef } from '../domain';
import { whyNotRecorded } from './completion.refusal';

/** After a completion the store refused, when to try again (ms after the previous try); the last delay repeats. */
export const COMPLETION_RETRY_DELAYS_MS: readonly number[] = [200, 1_000, 2_000];
/**
 * How long a refused completion keeps being tried. A Cluster failover takes Redis's cluster-node-timeout
 * (15 s by default) plus an election: a retrier that gave up sooner left the record in progress, and a
 * client's retry after the lease took it over and called the providers again for accounts already created.
 * Past the lease a try still lands when no retry came first (COMPLETE checks the owner, not the lease).
 */
export const COMPLETION_RETRY_HORIZON_MS = 5 * 60_000;
/** Completions waiting for a retry at once; beyond this a failed completion is logged and dropped. */
export const MAX_PENDING_COMPLETIONS = 1_000;

interface Pending {
  readonly ref: RecordRef;
  readonly owner: string;
  readonly completion: Completion;
  readonly audit: AuditEvent;
  readonly logger: Logger;
  readonly auditOnRetry: AuditOnRetry;
  /** When it was scheduled: tries go on until the horizon. */
  readonly since: number;
  attempt: number;
  timer?: NodeJS.Timeout;
  /** The try under way, if any. */
  running?: Promise<void>;
}

/**
 * A completion the store refused (Redis blipped after the providers were
 * called) is tried again in the background, with the same owner token, so
 * the record ends with the outcome the client was given and the attempt's
 * audit event is kept. COMPLETE is a compare-and-set on the owner: once
 * another attempt has taken the record over, a late try changes nothing.
 * At shutdown every waiting completion gets one last try before the store
 * closes (docs/idempotency.md, "Fail closed").
 */
export class CompletionRetrier {
  private readonly pending = new Set<Pending>();
  private closing = false;

  constructor(
    private readonly store: IdempotencyStore,
    private readonly delaysMs: readonly number[] = COMPLETION_RETRY_DELAYS_MS,
    private readonly maxPending = MAX_PENDING_COMPLETIONS,
    private readonly horizonMs = COMPLETION_RETRY_HORIZON_MS,
  ) {}

  get waiting(): number {
    return this.pending.size;
  }

  /** False when too many are waiting already: the caller's log line is then the last word. */
  schedule(ref: RecordRef, owner: string, completion: Completion, audit: AuditEvent, logger: Logger, auditOnRetry: AuditOnRetry = 'unknown'): boolean {
    if (this.pending.size >= this.maxPending || this.delaysMs.length === 0) return false;
    const p: Pending = { ref, owner, completion, audit, logger, auditOnRetry, since: Date.now(), attempt: 0 };
    this.pending.add(p);
    this.arm(p);
    return true;
  }

  /** One last try for every waiting completion, now (a try under way is awaited); then nothing is left waiting. */
  async flush(): Promise<void> {
    this.closing = true;
    const all = [...this.pending];
    await Promise.all(
      all.map((p) => {
        if (p.running) return p.running;
        clearTimeout(p.timer);
        return this.start(p, true);
      }),
    );
  }

  private arm(p: Pending): void {
    if (this.closing) {
      void this.start(p, true);
      return;
    }
    p.timer = setTimeout(() => void this.start(p, false), this.delaysMs[Math.min(p.attempt, this.delaysMs.length - 1)]);
    // A retry must not keep a stopping process alive: flush() gives it its last chance.
    p.timer.unref();
  }

  private start(p: Pending, last: boolean): Promise<void> {
    p.running = this.tryOnce(p, last).finally(() => (p.running = undefined));
    return p.running;
  }

  private async tryOnce(p: Pending, last: boolean): Promise<void> {
    if (!this.pending.has(p)) return;
    p.attempt++;
    const fields = { operation: p.ref.operation, status: p.completion.status, attempt: p.attempt };
    try {
      const stillOwner = await this.store.complete(p.ref, p.owner, p.completion, p.audit, { retry: true, auditOnRetry: p.auditOnRetry });
      this.pending.delete(p);
      if (stillOwner) return void p.logger.warn(fields, 'idempotency outcome recorded on a later try');
      const why = await whyNotRecorded(this.store, p.ref);
      // COMPLETE cannot tell whether an earlier try of this one landed (its reply lost) before the takeover.
      const note = why.reason === 'taken-over' ? ' (an earlier try may have recorded it first)' : '';
      p.logger.warn({ ...fields, why: why.reason }, `idempotency outcome not recorded by this try: ${why.message}${note}`);
    } catch {
      if (!last && !this.closing && (p.attempt < this.delaysMs.length || Date.now() - p.since < this.horizonMs)) return this.arm(p);
      this.pending.delete(p);
      p.logger.error(
        fields,
        'idempotency outcome not recorded after retries: the record stays in progress, and a retry after its lease calls the providers again',
      );
    }
  }
}
