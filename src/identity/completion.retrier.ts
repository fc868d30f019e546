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
 * At shutdown every waiting completion is tried at once, then on the same
 * schedule until the shutdown's deadline, before the store closes
 * (docs/idempotency.md, "Fail closed").
 */
export class CompletionRetrier {
  private readonly pending = new Set<Pending>();
  /** Set by flush(): no more background timers, tries go on until this time (ms since the epoch). */
  private deadline?: number;

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
    if (this.deadline !== undefined) void this.finish(p, this.deadline);
    else this.arm(p);
    return true;
  }

  /**
   * At shutdown: every waiting completion is tried now (a try under way is awaited), then again on the usual
   * schedule until `deadline`, the end of the shutdown grace; one still refused then is given up. A single
   * last try let a Redis that came back a second later find the record in progress, and a retry after the
   * lease called the providers again for accounts whose credentials a client already had.
   */
  async flush(deadline: number): Promise<void> {
    this.deadline = deadline;
    await Promise.all([...this.pending].map((p) => this.finish(p, deadline)));
  }

  private arm(p: Pending): void {
    p.timer = setTimeout(() => void this.start(p), this.delayOf(p));
    // A background retry must not keep a stopping process alive: flush() takes over at shutdown.
    p.timer.unref();
  }

  private delayOf(p: Pending): number {
    return this.delaysMs[Math.min(p.attempt, this.delaysMs.length - 1)];
  }

  /** A background try; a failed one is armed again, until the horizon. flush() takes over a pending one once it began. */
  private start(p: Pending): Promise<void> {
    p.running = this.tryOnce(p)
      .then((done) => {
        if (done || this.deadline !== undefined) return;
        if (p.attempt < this.delaysMs.length || Date.now() - p.since < this.horizonMs) this.arm(p);
        else this.giveUp(p);
      })
      .finally(() => (p.running = undefined));
    return p.running;
  }

  private async finish(p: Pending, deadline: number): Promise<void> {
    clearTimeout(p.timer);
    if (p.running) await p.running;
    while (this.pending.has(p)) {
      if (await this.tryOnce(p)) return;
      const wait = Math.min(this.delayOf(p), deadline - Date.now());
      if (wait <= 0) return this.giveUp(p);
      // Not unref'd: the shutdown waits for these tries, and the deadline bounds them.
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /** True when the try settled it (recorded, or the record was no longer this attempt's); false when the store refused it. */
  private async tryOnce(p: Pending): Promise<boolean> {
    if (!this.pending.has(p)) return true;
    p.attempt++;
    const fields = { operation: p.ref.operation, status: p.completion.status, attempt: p.attempt };
    try {
      const stillOwner = await this.store.complete(p.ref, p.owner, p.completion, p.audit, { retry: true, auditOnRetry: p.auditOnRetry });
      this.pending.delete(p);
      if (stillOwner) {
        p.logger.warn(fields, 'idempotency outcome recorded on a later try');
        return true;
      }
      const why = await whyNotRecorded(this.store, p.ref);
      // COMPLETE cannot tell whether an earlier try of this one landed (its reply lost) before the takeover.
      const note = why.reason === 'taken-over' ? ' (an earlier try may have recorded it first)' : '';
      p.logger.warn({ ...fields, why: why.reason }, `idempotency outcome not recorded by this try: ${why.message}${note}`);
      return true;
    } catch {
      return false;
    }
  }

  private giveUp(p: Pending): void {
    this.pending.delete(p);
    // A try that timed out may have landed (its reply lost): the log says what is known, not more.
    p.logger.error(
      { operation: p.ref.operation, status: p.completion.status, attempt: p.attempt },
      'idempotency outcome may not have been recorded: the store never confirmed it. If it was not, the record stays in progress, and a retry after its lease calls the providers again',
    );
  }
}
