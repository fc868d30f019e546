import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CircuitState, type IdempotencyEvent, type IdentityEvents, type ProviderAdapter, type TargetOutcome } from '../domain';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface MetricsOptions {
  /**
   * Adds `idgw_debug_heap_used_after_gc_bytes`, which forces a full GC on
   * every scrape. For soak runs only: it needs `node --expose-gc` and
   * IDGW_DEBUG_GC=1, and costs a stop-the-world pause per scrape.
   */
  readonly debugGc?: boolean;
}

/**
 * One Prometheus registry per gateway instance (never prom-client's global
 * one), so several gateways in one process each report only their own.
 * Implements the identity service's event port; GraphQL requests are
 * recorded by the Apollo plugin in graphql-metrics.plugin.ts.
 */
export class GatewayMetrics implements IdentityEvents {
  readonly registry = new Registry();
  private readonly graphqlRequests: Counter<'operation' | 'type' | 'outcome'>;
  private readonly graphqlDuration: Histogram<'operation' | 'type' | 'outcome'>;
  readonly storeErrors: Counter;
  private readonly upstreamCalls: Counter<'provider' | 'outcome'>;
  private readonly upstreamDuration: Histogram<'provider' | 'outcome'>;
  private readonly idempotencyAnswers: Counter<'event'>;
  private readonly lostCredentials: Counter<'provider'>;
  private readonly authRefusals: Counter<'reason'>;
  private readonly graphqlFinished: CountedLatency<'operation' | 'type' | 'outcome'>;
  private readonly upstreamFinished: CountedLatency<'provider' | 'outcome' | 'status'>;

  constructor(adapters: readonly ProviderAdapter[], options: MetricsOptions = {}) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.graphqlRequests = new Counter({
      name: 'idgw_graphql_requests_total',
      help: 'GraphQL requests by root field (operation), operation type and outcome (ok, or the first error code).',
      labelNames: ['operation', 'type', 'outcome'],
      registers,
    });
    this.graphqlDuration = new Histogram({
      name: 'idgw_graphql_request_duration_seconds',
      help: 'GraphQL request latency by root field, operation type and outcome.',
      labelNames: ['operation', 'type', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.upstreamCalls = new Counter({
      name: 'idgw_upstream_requests_total',
      help: 'Provider calls by provider instance id, outcome (created, or the ProviderErrorCode) and the HTTP status the provider answered with (none: no answer). Circuit-open fast failures are UNAVAILABLE here and also counted in idgw_breaker_short_circuits_total.',
      labelNames: ['provider', 'outcome', 'status'],
      registers,
    });
    this.upstreamDuration = new Histogram({
      name: 'idgw_upstream_request_duration_seconds',
      help: 'Provider call latency (connect-refused retries included) by provider instance id, outcome and HTTP status.',
      labelNames: ['provider', 'outcome', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.graphqlFinished = new CountedLatency(this.graphqlRequests, this.graphqlDuration);
    this.upstreamFinished = new CountedLatency(this.upstreamCalls, this.upstreamDuration);
    this.idempotencyAnswers = new Counter({
      name: 'idgw_idempotency_events_total',
      help: 'Idempotency answers: conflict (already completed), in_progress, reused (different input), replay (per target), guard_conflict (per target).',
      labelNames: ['event'],
      registers,
    });
    this.storeErrors = new Counter({
      name: 'idgw_store_errors_total',
      help: 'Idempotency store (Redis) failures: SERVICE_UNAVAILABLE answers, and outcomes that could not be recorded.',
      registers,
    });
    this.lostCredentials = new Counter({
      name: 'idgw_credentials_lost_total',
      help: 'Creates whose one-time credentials never reached the client (it went away before the answer was written), by provider instance id: each is an account to issue new credentials for there.',
      labelNames: ['provider'],
      registers,
    });
    this.authRefusals = new Counter({
      name: 'idgw_auth_refusals_total',
      help: 'Requests refused before any GraphQL ran: missing (no credentials), invalid (a key or token that is not valid), unverifiable (the JWKS could not be fetched). A rise in invalid is someone guessing.',
      labelNames: ['reason'],
      registers,
    });
    const withBreaker = adapters.filter((a) => a.health);
    new Gauge({
      name: 'idgw_breaker_state',
      help: 'Circuit breaker state per provider: 1 for the current state (CLOSED, OPEN, HALF_OPEN), 0 for the others.',
      labelNames: ['provider', 'state'],
      registers,
      collect() {
        for (const a of withBreaker) {
          const current = a.health!().circuit;
          for (const state of Object.values(CircuitState)) this.set({ provider: a.id, state }, state === current ? 1 : 0);
        }
      },
    });
    const counted = new Map<string, number>();
    new Counter({
      name: 'idgw_breaker_short_circuits_total',
      help: 'Calls answered UNAVAILABLE without reaching the provider because its circuit was open.',
      labelNames: ['provider'],
      registers,
      collect() {
        // The breaker keeps a running count; the counter catches up with it at each scrape.
        for (const a of withBreaker) {
          const now = a.health!().shortCircuited;
          const delta = now - (counted.get(a.id) ?? 0);
          this.inc({ provider: a.id }, Math.max(0, delta));
          counted.set(a.id, now);
        }
      },
    });
    if (options.debugGc && typeof global.gc === 'function') {
      const gc = global.gc;
      new Gauge({
        name: 'idgw_debug_heap_used_after_gc_bytes',
        help: 'Heap used right after a forced full GC (debug: node --expose-gc and IDGW_DEBUG_GC=1).',
        registers,
        collect() {
          gc();
          this.set(process.memoryUsage().heapUsed);
        },
      });
    }
  }

  /** One GraphQL request; the labels come from bounded sets (the schema's root fields, operation types, error codes). */
  graphqlRequestFinished(labels: { readonly operation: string; readonly type: string; readonly outcome: string }, seconds: number): void {
    this.graphqlFinished.record(labels, seconds);
  }

  targetFinished(providerId: string, outcome: TargetOutcome, seconds: number): void {
    const [result, status] = outcome.kind === 'created' ? ['created', outcome.httpStatus] : [outcome.failure.code, outcome.failure.httpStatus];
    this.upstreamFinished.record({ provider: providerId, outcome: result, status: statusLabel(status) }, seconds);
  }

  idempotency(event: IdempotencyEvent): void {
    this.idempotencyAnswers.inc({ event });
  }

  storeError(): void {
    this.storeErrors.inc();
  }

  credentialsLost(providerId: string): void {
    this.lostCredentials.inc({ provider: providerId });
  }

  /** A request refused by authentication (not logged: a flood of them would flood the log instead). */
  authRefused(reason: 'missing' | 'invalid' | 'unverifiable'): void {
    this.authRefusals.inc({ reason });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}

/** Statuses with a label value of their own; any other is counted by its class (`4xx`): a provider cannot grow the set. */
const OWN_STATUS: ReadonlySet<number> = new Set([200, 201, 202, 204, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504]);

/** `none`: no answer came (a timeout, a connection refused or broken, an open breaker). */
function statusLabel(status: number | undefined): string {
  if (status === undefined) return 'none';
  return OWN_STATUS.has(status) ? String(status) : `${Math.floor(status / 100)}xx`;
}

/**
 * A counter and a latency histogram with the same labels, recorded together. Their labelled children are
 * looked up once per combination (a bounded set: schema fields, provider ids, codes) instead of hashing
 * the labels on every request.
 */
class CountedLatency<L extends string> {
  private readonly children = new Map<string, { count: Counter.Internal; duration: Histogram.Internal<L> }>();

  constructor(
    private readonly counter: Counter<L>,
    private readonly histogram: Histogram<L>,
  ) {}

  record(labels: Readonly<Record<L, string>>, seconds: number): void {
    const key = Object.values<string>(labels).join('\u0000');
    let child = this.children.get(key);
    if (!child) {
      child = { count: this.counter.labels(labels), duration: this.histogram.labels(labels) };
      this.children.set(key, child);
    }
    child.count.inc();
    child.duration.observe(seconds);
  }
}
